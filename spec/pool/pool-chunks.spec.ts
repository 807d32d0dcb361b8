import { expect } from 'chai';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, materialize, Subject, take, tap, toArray } from 'rxjs';
import { Pool, ProcessError, SerializationError } from '../../src/index.js';
import { settles, sleep, until } from '../support/async.js';
import { endPools, perWorker, pool, POOL_TASKS, runsIn } from './pool-support.js';

describe('Pool chunks (chunksize)', function () {
  this.timeout(60_000);
  afterEach(endPools);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('a chunk is one queue item: a worker that runs one item (maxTasksPerChild: 1) runs a whole chunk', async () => {
        const p = pool('whoami', { kind, processes: 1, maxTasksPerChild: 1, prefetch: 1 });
        const results = await lastValueFrom(p.map([1, 2, 3, 4, 5, 6, 7], { chunksize: 3 }));
        expect(results.map((r) => r.x)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
        // Three items: 3 + 3 + the last, short one.
        expect(perWorker(results, kind)).to.deep.equal([3, 3, 1]);
      });

      it('imap(), imapUnordered(), map() and starmap() with a chunksize give every result; imap() and map() in input order', async () => {
        const p = pool('later', { kind });
        // The first chunk's first task is the slow one: the second chunk's results come back first.
        const args: [number, number][] = [
          [1, 300],
          [2, 0],
          [3, 0],
          [4, 0],
          [5, 0],
        ];
        expect(await lastValueFrom(p.starmap(args, { chunksize: 2 }))).to.deep.equal([1, 2, 3, 4, 5]);
        const s = pool('default', { kind });
        const inputs = Array.from({ length: 1000 }, (_, i) => i);
        const squares = inputs.map((i) => i * i);
        expect(await lastValueFrom(s.imap(inputs, { chunksize: 64 }).pipe(toArray()))).to.deep.equal(squares);
        expect(await lastValueFrom(s.map(inputs, { chunksize: 7 }))).to.deep.equal(squares);
        const unordered = await lastValueFrom(s.imapUnordered(inputs, { chunksize: 100 }).pipe(toArray()));
        expect(unordered.sort((a, b) => a - b)).to.deep.equal(squares);
      });

      it('a chunk goes short when the input has nothing more yet: an Observable input does not wait to fill one', async () => {
        const p = pool('default', { kind });
        const input = new Subject<number>();
        const out = lastValueFrom(p.imap(input, { chunksize: 100 }).pipe(take(2), toArray()));
        input.next(2);
        input.next(3);
        // Never completed, never 100 items: the two results come anyway.
        expect(await out).to.deep.equal([4, 9]);
      });

      it('backpressure counts tasks, not chunks: a chunk takes a slot per task and never more than are free', async () => {
        const p = pool('after', { kind, maxsize: 5, prefetch: 1 });
        let pulled = 0;
        let received = 0;
        let most = 0;
        const source = (function* () {
          for (let i = 0; i < 30; i++) {
            pulled++;
            most = Math.max(most, pulled - received);
            yield 5;
          }
        })();
        const all = await lastValueFrom(
          p.imapUnordered(source, { chunksize: 3 }).pipe(
            tap(() => received++),
            toArray(),
          ),
        );
        expect(all).to.have.length(30);
        // Chunks of 3 and 2 fill the 5 slots: never a sixth task, never a slot left waiting for a full chunk.
        expect(most).to.equal(5);
      });

      it('unsubscribing from a chunked call stops feeding; the dropped results never reach a later call', async () => {
        const p = pool('after', { kind, maxsize: 8, prefetch: 1 });
        let pulled = 0;
        let returned = false;
        const source = (function* () {
          try {
            for (let i = 0; i < 10_000; i++) {
              pulled++;
              yield 20;
            }
          } finally {
            returned = true;
          }
        })();
        expect(await lastValueFrom(p.imap(source, { chunksize: 4 }).pipe(take(1)))).to.equal(20);
        expect(returned).to.equal(true);
        expect(pulled).to.be.at.most(9);
        expect(await lastValueFrom(p.imap([1, 2, 3], { chunksize: 2 }).pipe(toArray()))).to.deep.equal([1, 2, 3]);
      });

      it('a task that throws fails that task only: the chunk’s tasks before it are emitted (imap), the worker goes on', async () => {
        const p = pool('failsOn3', { kind, processes: 1 });
        const notes = await lastValueFrom(p.imap([1, 2, 3, 4], { chunksize: 4 }).pipe(materialize(), toArray()));
        expect(notes.map((n) => n.kind)).to.deep.equal(['N', 'N', 'E']);
        expect(notes[2]?.error).to.be.instanceOf(TypeError);
        expect(await lastValueFrom(p.map([4, 5, 6], { chunksize: 3 }))).to.deep.equal([4, 5, 6]);
      });

      it('a result that cannot be copied back fails its task only; so do arguments that cannot go', async () => {
        const p = pool('unclonableOn2', { kind, processes: 1 });
        const notes = await lastValueFrom(p.imap([1, 2, 3], { chunksize: 3 }).pipe(materialize(), toArray()));
        expect(notes.map((n) => n.kind)).to.deep.equal(['N', 'E']);
        expect(notes[0]?.value).to.equal(1);
        expect(notes[1]?.error).to.be.instanceOf(SerializationError);
        const s = pool('default', { kind, processes: 1 });
        const sent = await lastValueFrom(s.imap([1, (() => 1) as never, 3], { chunksize: 3 }).pipe(materialize(), toArray()));
        expect(sent.map((n) => n.kind)).to.deep.equal(['N', 'E']);
        expect(sent[0]?.value).to.equal(1);
        expect(sent[1]?.error).to.be.instanceOf(SerializationError);
        expect(await lastValueFrom(s.map([3, 4], { chunksize: 2 }))).to.deep.equal([9, 16]);
      });

      it('a worker that dies in a chunk: each unfinished task is retried once, alone; the killer fails with ProcessError, the rest succeed', async () => {
        const log = join(tmpdir(), `pool-chunk-dies-${process.pid}-${kind}.log`);
        rmSync(log, { force: true });
        const runs = (x: number): number => runsIn(log, x);
        try {
          const p = pool('diesOn3', { kind, processes: 2, prefetch: 1, initializer: 'logTo', initargs: [log] });
          // Chunks [1, 2, 4] and [5, 3, 6]: 5 had finished when 3 killed its worker (its result went with it), 6 had not started.
          const notes = await lastValueFrom(p.imap([1, 2, 4, 5, 3, 6], { chunksize: 3 }).pipe(materialize(), toArray()));
          expect(notes.map((n) => n.kind)).to.deep.equal(['N', 'N', 'N', 'N', 'E']);
          expect(notes.slice(0, 4).map((n) => n.value)).to.deep.equal([1, 2, 4, 5]);
          const error = notes[4]?.error as ProcessError;
          expect(error).to.be.instanceOf(ProcessError);
          expect(error.exitCode).to.equal(3);
          // 3: once in its chunk, once alone. 5: the same, its first result lost. 6: only alone.
          await until(() => runs(6) === 1);
          expect([1, 2, 3, 4, 5, 6].map(runs)).to.deep.equal([1, 1, 2, 1, 2, 1]);
          expect(p.running).to.equal(2);
          expect(await lastValueFrom(p.map([7, 8], { chunksize: 2 }))).to.deep.equal([7, 8]);
        } finally {
          if (existsSync(log)) rmSync(log);
        }
      });

      it('a lost chunk whose caller left is not run again', async () => {
        const log = join(tmpdir(), `pool-chunk-left-${process.pid}-${kind}.log`);
        rmSync(log, { force: true });
        const runs = (x: number): number => runsIn(log, x);
        try {
          const p = pool('diesOn3', { kind, processes: 2, prefetch: 1, initializer: 'logTo', initargs: [log] });
          // Submitted at subscribe, left at once: its worker runs 5, dies on 3; nobody wants the outcomes.
          p.imap([5, 3, 6], { chunksize: 3 }).subscribe().unsubscribe();
          await until(() => existsSync(log) && runs(3) === 1);
          expect(await lastValueFrom(p.map([7, 8], { chunksize: 2 }))).to.deep.equal([7, 8]);
          // A retry would have run 3 again within milliseconds; this only waits longer than that.
          await sleep(500);
          expect([5, 3, 6].map(runs)).to.deep.equal([1, 1, 0]);
        } finally {
          if (existsSync(log)) rmSync(log);
        }
      });

      it('close() during a chunked call: a lost chunk’s tasks are still retried, and the workers exit after', async () => {
        const log = join(tmpdir(), `pool-chunk-close-${process.pid}-${kind}.log`);
        rmSync(log, { force: true });
        try {
          const p = pool('diesOn3', { kind, processes: 2, prefetch: 1, initializer: 'logTo', initargs: [log] });
          const call = lastValueFrom(p.imap([1, 2, 4, 5, 3, 6], { chunksize: 3 }).pipe(materialize(), toArray()));
          p.close();
          const notes = await call;
          // Retried, not refused: the killer fails with ProcessError (not ClosedError) after 1, 2, 4 and 5.
          expect(notes.map((n) => n.kind)).to.deep.equal(['N', 'N', 'N', 'N', 'E']);
          expect(notes[4]?.error).to.be.instanceOf(ProcessError);
          await settles(p.join(), 30_000);
          expect(p.running).to.equal(0);
        } finally {
          if (existsSync(log)) rmSync(log);
        }
      });
    });
  }

  it('chunksize and signal are checked at the call: TypeError/RangeError quoting the bad value', () => {
    const p = new Pool({ target: POOL_TASKS, processes: 1, kind: 'thread' });
    try {
      expect(() => p.imap([1], { chunksize: 0 })).to.throw(RangeError, '0');
      expect(() => p.imap([1], { chunksize: 2.5 })).to.throw(RangeError, '2.5');
      expect(() => p.imap([1], { chunksize: Infinity })).to.throw(RangeError, 'Infinity');
      expect(() => p.map([1], { chunksize: '4' } as never)).to.throw(TypeError, '"4"');
      expect(() => p.imapUnordered([1], { chunkSize: 4 } as never)).to.throw(TypeError, 'chunkSize');
      expect(() => p.starmap([[1]], { signal: 'stop' } as never)).to.throw(TypeError, 'stop');
    } finally {
      p.terminate();
    }
    return p.join();
  });
});
