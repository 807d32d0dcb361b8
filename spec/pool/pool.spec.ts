import { expect } from 'chai';
import { inspect } from 'node:util';
import { firstValueFrom, lastValueFrom, materialize, type Observable, toArray } from 'rxjs';
import { ClosedError, Pool, SerializationError } from '../../src/index.js';
import { expectRejection, settles } from '../support/async.js';
import { endPools, POOL_TASKS, pool } from './pool-support.js';

describe('Pool', function () {
  this.timeout(60_000);
  afterEach(endPools);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('map() emits one array of every result in input order, then completes', async () => {
        const p = pool('default', { kind });
        expect(await lastValueFrom(p.map([1, 2, 3, 4, 5]).pipe(toArray()))).to.deep.equal([[1, 4, 9, 16, 25]]);
      });

      it('imap() emits each result in input order even when later tasks finish first', async () => {
        const p = pool('later', { kind });
        const out = await lastValueFrom(
          p.starmap([
            [1, 200],
            [2, 0],
            [3, 0],
          ]),
        );
        expect(out).to.deep.equal([1, 2, 3]);
        const s = pool('default', { kind });
        expect(await lastValueFrom(s.imap([3, 1, 2]).pipe(toArray()))).to.deep.equal([9, 1, 4]);
      });

      it('imapUnordered() emits results as tasks finish', async () => {
        const p = pool('after', { kind, prefetch: 1 });
        await Promise.all([p.apply(100), p.apply(100)]);
        // The slow first task is overtaken by the quick ones the other worker runs.
        const got = await lastValueFrom(p.imapUnordered([1500, 0, 0, 0, 0, 0]).pipe(toArray()));
        expect(got[0]).to.equal(0);
        expect([...got].sort((x, y) => x - y)).to.deep.equal([0, 0, 0, 0, 0, 1500]);
      });

      it('apply() resolves with the result; starmap() spreads each argument list', async () => {
        const p = pool('add', { kind });
        expect(await p.apply(2, 3)).to.equal(5);
        expect(
          await firstValueFrom(
            p.starmap([
              [1, 2],
              [3, 4],
            ]),
          ),
        ).to.deep.equal([3, 7]);
      });

      it('a task whose function throws fails that task with its error; the worker goes on', async () => {
        const p = pool('fails', { kind, processes: 1 });
        const error = await expectRejection(p.apply(7), TypeError);
        expect(error.message).to.equal('bad task 7');
        const pids = p.pids;
        await expectRejection(p.apply(8), TypeError);
        expect(p.pids).to.deep.equal(pids);
        expect(p.running).to.equal(1);
      });

      it('imap() errors at the failed task, after the results before it; map() errors with it', async () => {
        const p = pool('failsOn3', { kind });
        const notes = await lastValueFrom(p.imap([1, 2, 3, 4]).pipe(materialize(), toArray()));
        expect(notes.map((n) => n.kind)).to.deep.equal(['N', 'N', 'E']);
        expect(notes.map((n) => n.value)).to.deep.equal([1, 2, undefined]);
        expect(notes[2]?.error).to.be.instanceOf(TypeError);
        await expectRejection(lastValueFrom(p.map([1, 3])), TypeError);
      });

      it('a result that cannot be copied back fails that task with SerializationError; so do arguments that cannot go', async () => {
        const p = pool('unclonable', { kind, processes: 1 });
        await expectRejection(p.apply(), SerializationError);
        const s = pool('default', { kind, processes: 1 });
        await expectRejection(s.apply((() => 1) as never), SerializationError);
        expect(await s.apply(3)).to.equal(9);
      });

      it('takes inputs from an async iterable, one next() at a time', async () => {
        const p = pool('default', { kind });
        async function* inputs(): AsyncGenerator<number> {
          for (let i = 1; i <= 4; i++) yield i;
        }
        expect(await lastValueFrom(p.imap(inputs()).pipe(toArray()))).to.deep.equal([1, 4, 9, 16]);
      });

      it('close() takes no new tasks; join() resolves once every worker exited after the last task', async () => {
        const p = pool('later', { kind });
        const results = p.apply(5, 100);
        p.close();
        await expectRejection(p.apply(1, 0), ClosedError);
        await settles(p.join(), 30_000);
        expect(await results).to.equal(5);
        expect(p.running).to.equal(0);
      });

      it('terminate() stops the workers now: pending tasks reject ClosedError, join() resolves', async () => {
        const p = pool('later', { kind });
        const pending = p.apply(1, 30_000);
        const stream = lastValueFrom(p.imap([1, 2]));
        p.terminate();
        const error = await expectRejection(pending, ClosedError);
        expect(error.resource).to.equal('pool');
        await expectRejection(stream, ClosedError);
        await settles(p.join(), 30_000);
        expect(p.running).to.equal(0);
        await expectRejection(p.apply(1, 0), ClosedError);
      });
    });
  }

  it('join() before close() or terminate() rejects TypeError', async () => {
    const p = pool('default');
    await expectRejection(p.join(), TypeError);
  });

  it('inspect shows processes, kind, running workers and whether it is closed', async () => {
    const p = pool('default', { kind: 'thread' });
    expect(inspect(p)).to.equal("Pool { processes: 2, kind: 'thread', running: 2, closed: false }");
    p.close();
    expect(String(p)).to.equal("Pool { processes: 2, kind: 'thread', running: 2, closed: true }");
  });

  it('options are checked strictly: unknown key TypeError naming it, bad processes RangeError', () => {
    expect(() => new Pool({ target: POOL_TASKS, procesess: 2 } as never)).to.throw(TypeError, 'procesess');
    expect(() => new Pool({ target: POOL_TASKS, processes: 0 })).to.throw(RangeError, '0');
    expect(() => new Pool({ target: POOL_TASKS, processes: 1.5 })).to.throw(RangeError, '1.5');
    expect(() => new Pool({ target: POOL_TASKS, processes: '2' } as never)).to.throw(TypeError, '"2"');
    expect(() => new Pool({ target: POOL_TASKS, kind: 'spawn' } as never)).to.throw(TypeError, 'spawn');
    expect(() => new Pool({ target: POOL_TASKS, maxTasksPerChild: -1 })).to.throw(RangeError, '-1');
    expect(() => new Pool({ target: POOL_TASKS, maxsize: 0 })).to.throw(RangeError, 'maxsize');
    expect(() => new Pool({ target: POOL_TASKS, prefetch: 0.5 })).to.throw(RangeError, 'prefetch');
    expect(() => new Pool({ target: POOL_TASKS, initializer: 3 } as never)).to.throw(TypeError, '3');
    expect(() => new Pool({ target: POOL_TASKS, initargs: [1] })).to.throw(TypeError, 'initializer');
    expect(() => new Pool({ target: new URL('../fixtures/no-such-module.js', import.meta.url) })).to.throw(TypeError, 'does not exist');
    expect(() => new Pool(undefined as never)).to.throw(TypeError);
  });
});

/** Compiled, never run: the pool's types follow the task function (tsc fails this file if they do not). */
function poolTypes(): void {
  const squares = pool('default');
  const mapped: Observable<number[]> = squares.map([1, 2]);
  const each: Observable<number> = squares.imapUnordered([1, 2]);
  const one: Promise<number> = squares.apply(3);
  // @ts-expect-error the task takes a number
  squares.map(['one']);
  // @ts-expect-error the task takes one argument
  void squares.apply();
  const adds = pool('add');
  const sums: Observable<number[]> = adds.starmap([[1, 2]]);
  // @ts-expect-error each argument list is [number, number]
  adds.starmap([[1, 'two']]);
  const who = pool('whoami');
  const pids: Promise<number> = who.apply(1).then((r) => r.pid);
  void [mapped, each, one, sums, pids];
}
void poolTypes;
