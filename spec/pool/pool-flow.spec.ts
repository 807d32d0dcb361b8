import { expect } from 'chai';
import { firstValueFrom, lastValueFrom, Subject, take, tap, toArray } from 'rxjs';
import { sleep } from '../support/async.js';
import { endPools, pool } from './pool-support.js';

/** An input that counts what was pulled from it, and whether it was let go. */
function counted(n: number, value: (i: number) => number = (i) => i) {
  const seen = { pulled: 0, returned: false };
  function* items(): Generator<number> {
    try {
      for (let i = 0; i < n; i++) {
        seen.pulled++;
        yield value(i);
      }
    } finally {
      seen.returned = true;
    }
  }
  return { seen, items: items() };
}

describe('Pool flow', function () {
  this.timeout(60_000);
  afterEach(endPools);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('backpressure: inputs are pulled as slots free, never more than maxsize tasks in flight', async () => {
        const p = pool('after', { kind, maxsize: 3, prefetch: 1 });
        const { seen, items } = counted(20, () => 20);
        let received = 0;
        let most = 0;
        const source = (function* () {
          for (const item of items) {
            // This pull submits one more: in flight then is what was pulled less what came back.
            most = Math.max(most, seen.pulled - received);
            yield item;
          }
        })();
        const all = await lastValueFrom(
          p.imapUnordered(source).pipe(
            tap(() => received++),
            toArray(),
          ),
        );
        expect(all).to.have.length(20);
        expect(most).to.equal(3);
      });

      it('the bound counts every call: two calls at once stay within maxsize together', async () => {
        const p = pool('after', { kind, maxsize: 2, prefetch: 1 });
        let inFlight = 0;
        let most = 0;
        const feed = function* () {
          for (let i = 0; i < 6; i++) {
            inFlight++;
            most = Math.max(most, inFlight);
            yield 10;
          }
        };
        const call = () =>
          lastValueFrom(
            p.imapUnordered(feed()).pipe(
              tap(() => inFlight--),
              toArray(),
            ),
          );
        const [a, b] = await Promise.all([call(), call()]);
        expect(a.length + b.length).to.equal(12);
        expect(most).to.equal(2);
      });

      it('apply() waits its turn for a slot: with maxsize 1, two calls run one after the other', async () => {
        const p = pool('after', { kind, maxsize: 1, prefetch: 1 });
        await Promise.all([p.apply(0), p.apply(0)]); // both workers up
        const t0 = performance.now();
        expect(await Promise.all([p.apply(300), p.apply(300)])).to.deep.equal([300, 300]);
        // Two free workers would run them side by side (~300 ms); a lower bound only, so load cannot fail it.
        expect(performance.now() - t0).to.be.at.least(590);
      });

      it('unsubscribing stops feeding: the input is let go, results in flight are dropped, the pool goes on', async () => {
        const p = pool('after', { kind, maxsize: 4, prefetch: 1 });
        const { seen, items } = counted(1000, () => 30);
        const first = await firstValueFrom(p.imap(items));
        expect(first).to.equal(30);
        expect(seen.returned).to.equal(true);
        const pulled = seen.pulled;
        expect(pulled).to.be.at.most(5);
        await sleep(200);
        expect(seen.pulled).to.equal(pulled);
        // Dropped results never reach a later call.
        expect(await lastValueFrom(p.imap([1, 2, 3]).pipe(toArray()))).to.deep.equal([1, 2, 3]);
      });

      it('aborting a call’s signal stops feeding and errors it with signal.reason; the pool goes on', async () => {
        const p = pool('after', { kind, maxsize: 4, prefetch: 1 });
        const { seen, items } = counted(1000, () => 30);
        const controller = new AbortController();
        const reason = new RangeError('enough');
        let received = 0;
        const call = lastValueFrom(
          p.imap(items, { signal: controller.signal }).pipe(
            tap(() => {
              if (++received === 2) controller.abort(reason);
            }),
          ),
        );
        let caught: unknown;
        await call.catch((error: unknown) => (caught = error));
        expect(caught).to.equal(reason);
        expect(received).to.equal(2);
        expect(seen.returned).to.equal(true);
        const pulled = seen.pulled;
        await sleep(200);
        expect(seen.pulled).to.equal(pulled);
        expect(await lastValueFrom(p.map([1, 2], { signal: new AbortController().signal }))).to.deep.equal([1, 2]);
      });

      it('a signal already aborted errors the call with its reason at subscribe, taking no input', async () => {
        const p = pool('default', { kind });
        const { seen, items } = counted(10);
        let caught: unknown;
        await lastValueFrom(p.imapUnordered(items, { signal: AbortSignal.abort('stop') })).catch((error: unknown) => (caught = error));
        expect(caught).to.equal('stop');
        expect(seen.pulled).to.equal(0);
        expect(await p.apply(3)).to.equal(9);
      });

      it('an Observable input is taken as it pushes; results come back for each value', async () => {
        const p = pool('default', { kind });
        const input = new Subject<number>();
        const out = lastValueFrom(p.imap(input).pipe(take(3), toArray()));
        input.next(2);
        input.next(3);
        input.next(4);
        expect(await out).to.deep.equal([4, 9, 16]);
      });

      it('an input that throws errors that call with its error', async () => {
        const p = pool('default', { kind });
        const bad = (function* () {
          yield 1;
          throw new RangeError('input failed');
        })();
        let caught: unknown;
        await lastValueFrom(p.imap(bad)).catch((error: unknown) => (caught = error));
        expect(caught).to.be.instanceOf(RangeError);
      });
    });
  }
});
