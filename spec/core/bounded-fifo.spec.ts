import { expect } from 'chai';
import fc from 'fast-check';
import { BoundedFifo, type GetWaiter, type PutWaiter } from '../../src/core/bounded-fifo.js';
import { ClosedError, Empty, Full } from '../../src/errors.js';
import { Timeline, testScheduler } from '../support/marbles.js';
import { asyncScheduler } from 'rxjs';

function putter<T>(item: T, log: (e: string) => void): PutWaiter<T> {
  return { item, accepted: () => log(`put ${item}`), failed: (e) => log(`put ${item} ${e.name}`) };
}
function getter<T>(log: (e: string) => void, tag = 'get'): GetWaiter<T> {
  return { delivered: (v) => log(`${tag} ${v}`), failed: (e) => log(`${tag} ${e.name}`), ended: () => log(`${tag} end`) };
}

describe('BoundedFifo', () => {
  it('hands an item to a waiting getter in the same call as the put', () => {
    const fifo = new BoundedFifo<number>(2, asyncScheduler);
    const log: string[] = [];
    const ticket = fifo.get(getter(log.push.bind(log)));
    expect(ticket).to.not.equal(undefined);
    fifo.put(putter(1, log.push.bind(log)));
    expect(log).to.deep.equal(['get 1', 'put 1']);
    expect(fifo.size).to.equal(0);
  });

  it('makes a putter wait while full and admits it, in order, when a get frees a slot', () => {
    const fifo = new BoundedFifo<number>(1, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    fifo.put(putter(1, l));
    expect(fifo.put(putter(2, l))).to.not.equal(undefined);
    expect(fifo.put(putter(3, l))).to.not.equal(undefined);
    fifo.get(getter(l));
    expect(log).to.deep.equal(['put 1', 'get 1', 'put 2']);
    expect(fifo.size).to.equal(1);
    expect(fifo.waitingPutters).to.equal(1);
  });

  it('fails a non-waiting put on a full queue with Full, and a non-waiting get on an empty one with Empty', () => {
    const fifo = new BoundedFifo<number>(1, asyncScheduler);
    const errors: Error[] = [];
    fifo.put({ item: 1, accepted() {}, failed: (e) => errors.push(e) });
    fifo.put({ item: 2, accepted() {}, failed: (e) => errors.push(e) }, 0);
    fifo.get({ delivered() {}, failed: (e) => errors.push(e), ended() {} });
    fifo.get({ delivered() {}, failed: (e) => errors.push(e), ended() {} }, 0);
    expect(errors.map((e) => e.constructor)).to.deep.equal([Full, Empty]);
    expect((errors[0] as Full).maxsize).to.equal(1);
  });

  it('expires waiting gets and puts at their deadline, in virtual time', () => {
    testScheduler().run(({ flush }) => {
      const { scheduler } = asyncSchedulerUnderTest();
      const t = new Timeline(scheduler);
      const fifo = new BoundedFifo<number>(1, scheduler);
      fifo.get(getter((e) => t.log(e)), 5);
      scheduler.schedule(() => fifo.put(putter(1, (e) => t.log(e))), 10);
      scheduler.schedule(() => fifo.put(putter(2, (e) => t.log(e)), 3), 11);
      flush();
      expect(t.events).to.deep.equal([
        [5, 'get Empty'],
        [10, 'put 1'],
        [14, 'put 2 Full'],
      ]);
    });
  });

  it('cancels a waiting get atomically: the next put stays in the queue', () => {
    const fifo = new BoundedFifo<number>(5, asyncScheduler);
    const log: string[] = [];
    const ticket = fifo.get(getter(log.push.bind(log)));
    expect(fifo.cancelGet(ticket!)).to.equal(true);
    expect(fifo.cancelGet(ticket!)).to.equal(false);
    fifo.put(putter(7, log.push.bind(log)));
    expect(log).to.deep.equal(['put 7']);
    expect(fifo.size).to.equal(1);
  });

  it('does not let a cancelled deadline fire', () => {
    testScheduler().run(({ flush }) => {
      const { scheduler } = asyncSchedulerUnderTest();
      const fifo = new BoundedFifo<number>(1, scheduler);
      const log: string[] = [];
      const ticket = fifo.get(getter(log.push.bind(log)), 5);
      scheduler.schedule(() => fifo.cancelGet(ticket!), 2);
      flush();
      expect(log).to.deep.equal([]);
    });
  });

  it('requeues items at the front in their original order and serves waiting getters first', () => {
    const fifo = new BoundedFifo<string>(2, asyncScheduler);
    const log: string[] = [];
    fifo.put(putter('c', () => {}));
    fifo.requeue(['a', 'b']);
    expect(fifo.size).to.equal(3); // over maxsize: nothing accepted is dropped
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) fifo.get({ delivered: (v) => taken.push(v), failed() {}, ended() {} });
    expect(taken).to.deep.equal(['a', 'b', 'c']);
    fifo.get(getter(log.push.bind(log)));
    fifo.requeue(['z']);
    expect(log).to.deep.equal(['get z']);
  });

  it('after end(), refuses waiting and new puts, drains, then tells getters it ended', () => {
    const fifo = new BoundedFifo<number>(1, asyncScheduler);
    const log: string[] = [];
    const l = log.push.bind(log);
    fifo.put(putter(1, l));
    fifo.put(putter(2, l));
    fifo.end();
    fifo.put(putter(3, l));
    fifo.get(getter(l));
    fifo.get(getter(l));
    expect(log).to.deep.equal(['put 1', 'put 2 ClosedError', 'put 3 ClosedError', 'get 1', 'get end']);
  });

  it('tells getters already waiting that the queue ended', () => {
    const fifo = new BoundedFifo<number>(1, asyncScheduler);
    const log: string[] = [];
    fifo.get(getter(log.push.bind(log), 'a'));
    fifo.get(getter(log.push.bind(log), 'b'));
    fifo.end();
    expect(log).to.deep.equal(['a end', 'b end']);
    expect(new ClosedError('queue')).to.be.instanceOf(Error);
  });

  it('calls the admitted hook before the item can reach any getter', () => {
    const order: string[] = [];
    const fifo = new BoundedFifo<number>(1, asyncScheduler, { admitted: () => order.push('admitted') });
    fifo.get({ delivered: () => order.push('delivered'), failed() {}, ended() {} });
    fifo.put({ item: 1, accepted: () => order.push('accepted'), failed() {} });
    expect(order).to.deep.equal(['admitted', 'delivered', 'accepted']);
  });

  it('never loses, duplicates or reorders items, and never exceeds maxsize, under random put/get/cancel interleavings', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('get' as const), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('cancelPut' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('cancelGet' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 200 }), (maxsize, ops) => {
        const fifo = new BoundedFifo<number>(maxsize, asyncScheduler);
        let next = 0;
        const accepted: number[] = [];
        const failedPuts = new Set<number>();
        const delivered: number[] = [];
        const putTickets: { item: number; ticket: NonNullable<ReturnType<typeof fifo.put>> }[] = [];
        const getTickets: NonNullable<ReturnType<typeof fifo.get>>[] = [];
        for (const o of ops) {
          if (o.kind === 'put') {
            const item = next++;
            const ticket = fifo.put(
              { item, accepted: () => accepted.push(item), failed: () => failedPuts.add(item) },
              o.wait ? undefined : 0,
            );
            if (ticket) putTickets.push({ item, ticket });
          } else if (o.kind === 'get') {
            const ticket = fifo.get({ delivered: (v) => delivered.push(v), failed() {}, ended() {} }, o.wait ? undefined : 0);
            if (ticket) getTickets.push(ticket);
          } else if (o.kind === 'cancelPut' && putTickets.length > 0) {
            const { item, ticket } = putTickets.splice(o.pick % putTickets.length, 1)[0]!;
            if (fifo.cancelPut(ticket)) failedPuts.add(item);
          } else if (o.kind === 'cancelGet' && getTickets.length > 0) {
            fifo.cancelGet(getTickets.splice(o.pick % getTickets.length, 1)[0]!);
          }
          expect(fifo.size).to.be.at.most(maxsize);
        }
        // Drain what is left, then check: delivered + left == accepted, in accept order.
        const left: number[] = [];
        while (fifo.size > 0) fifo.get({ delivered: (v) => left.push(v), failed() {}, ended() {} }, 0);
        expect([...delivered, ...left]).to.deep.equal(accepted);
        for (const item of accepted) expect(failedPuts.has(item)).to.equal(false);
        // Puts still waiting were neither accepted nor failed.
        expect(accepted.length + failedPuts.size + fifo.waitingPutters).to.equal(next);
      }),
      { numRuns: 500 },
    );
  });
});

/** Under `TestScheduler.run`, asyncScheduler itself runs in virtual time. */
function asyncSchedulerUnderTest() {
  return { scheduler: asyncScheduler };
}
