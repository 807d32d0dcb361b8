import { expect } from 'chai';
import fc from 'fast-check';
import { BoundedFifo, type GetWaiter, type PutWaiter } from '../../../src/core/queue/bounded-fifo.js';
import { ClosedError, Empty, Full } from '../../../src/errors.js';
import { Timeline, testScheduler } from '../../support/marbles.js';
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
      fifo.get(
        getter((e) => t.log(e)),
        5,
      );
      scheduler.schedule(() => fifo.put(putter(1, (e) => t.log(e))), 10);
      scheduler.schedule(
        () =>
          fifo.put(
            putter(2, (e) => t.log(e)),
            3,
          ),
        11,
      );
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

  it('a local get takes a put waiting behind a credit request, so no later put can overtake it', () => {
    const fifo = new BoundedFifo<string>(1, asyncScheduler);
    const log: string[] = [];
    fifo.want({ remaining: 1, granted: (n) => log.push(`granted ${n}`) }); // takes the only slot
    fifo.want({ remaining: 1, granted: (n) => log.push(`granted ${n}`) }); // waits in line
    fifo.put(putter('a', log.push.bind(log))); // waits behind the credit request
    fifo.get(getter(log.push.bind(log)));
    fifo.put(putter('b', log.push.bind(log)));
    expect(log).to.deep.equal(['granted 1', 'get a', 'put a']);
  });

  for (const served of ['by an item', 'by withdrawing it'] as const) {
    it(`a local get waiting behind a leasing get takes a waiting put once first in line (${served}), so no later put overtakes it`, () => {
      const fifo = new BoundedFifo<string>(1, asyncScheduler);
      const log: string[] = [];
      let credits = 0;
      fifo.want({ remaining: 1, granted: (n) => (credits += n) }); // a remote producer holds the only slot
      const fetch = fifo.get({ leases: true, delivered: (v) => log.push(`fetch ${v}`), failed() {}, ended() {} });
      fifo.get(getter(log.push.bind(log)));
      fifo.put(putter('a', log.push.bind(log))); // no slot, and the leasing get is first in line: waits
      expect(log).to.deep.equal([]);
      if (served === 'by an item') fifo.commit('r');
      else fifo.cancelGet(fetch!);
      expect(log.slice(-2)).to.deep.equal(['get a', 'put a']);
      fifo.put(putter('b', log.push.bind(log)), 0);
      expect(log.slice(-1)).to.deep.equal(['put b Full']);
      expect(credits).to.equal(1);
    });
  }

  it('grants a credit request what is free now and keeps it in line for the rest; a try-only request gets what is free, possibly nothing', () => {
    const fifo = new BoundedFifo<number>(3, asyncScheduler);
    const grants: number[] = [];
    fifo.put(putter(1, () => {}));
    fifo.want({ remaining: 5, granted: (n) => grants.push(n) });
    fifo.want({ remaining: 1, granted: (n) => grants.push(n) }, true);
    expect(grants).to.deep.equal([2, 0]);
    expect(fifo.occupied).to.equal(3);
    expect(fifo.waitingPutters).to.equal(1); // 3 more wanted
    expect(fifo.commit(7)).to.equal(true);
    fifo.refund(1); // the freed slot goes straight to the request in line
    expect(grants).to.deep.equal([2, 0, 1]);
    expect(fifo.occupied).to.equal(3);
    expect(fifo.size).to.equal(2);
  });

  it('a credit request collects freed slots one by one until it has all it asked for, then leaves the line', () => {
    const fifo = new BoundedFifo<number>(2, asyncScheduler);
    const grants: number[] = [];
    fifo.put(putter(1, () => {}));
    fifo.put(putter(2, () => {}));
    fifo.want({ remaining: 2, granted: (n) => grants.push(n) });
    const taken: number[] = [];
    const take = () => fifo.get({ delivered: (v) => taken.push(v), failed() {}, ended() {} });
    take();
    expect(grants).to.deep.equal([1]);
    expect(fifo.waitingPutters).to.equal(1);
    take();
    expect(grants).to.deep.equal([1, 1]);
    expect(fifo.waitingPutters).to.equal(0);
    expect(fifo.reserved).to.equal(2);
  });

  it('counts leased items toward maxsize until released, and puts given-back items at the front', () => {
    const fifo = new BoundedFifo<string>(2, asyncScheduler);
    const log: string[] = [];
    fifo.put(putter('a', () => {}));
    fifo.put(putter('b', () => {}));
    const leased: string[] = [];
    fifo.get({ leases: true, delivered: (v) => leased.push(v), failed() {}, ended() {} });
    expect(fifo.full).to.equal(true);
    expect(fifo.put(putter('c', log.push.bind(log)))).to.not.equal(undefined);
    fifo.giveBack(leased.splice(0));
    const order: string[] = [];
    fifo.get({ delivered: (v) => order.push(v), failed() {}, ended() {} });
    expect(order).to.deep.equal(['a']);
    expect(log).to.deep.equal(['put c']);
  });

  it('is not drained after end() while items are leased: one given back still reaches a waiting getter', () => {
    const fifo = new BoundedFifo<string>(5, asyncScheduler);
    const log: string[] = [];
    fifo.put(putter('a', () => {}));
    const leased: string[] = [];
    fifo.get({ leases: true, delivered: (v) => leased.push(v), failed() {}, ended() {} });
    fifo.end();
    expect(fifo.drained).to.equal(false);
    fifo.get(getter(log.push.bind(log)));
    expect(log).to.deep.equal([]); // still waiting: 'a' may come back
    fifo.giveBack(leased.splice(0));
    expect(log).to.deep.equal(['get a']);
    fifo.get(getter(log.push.bind(log)));
    expect(log).to.deep.equal(['get a', 'get end']);
  });

  it('after end(), tells waiting getters once the last leased item is acknowledged', () => {
    const fifo = new BoundedFifo<string>(5, asyncScheduler);
    const log: string[] = [];
    fifo.put(putter('a', () => {}));
    fifo.get({ leases: true, delivered() {}, failed() {}, ended() {} });
    fifo.end();
    fifo.get(getter(log.push.bind(log)));
    fifo.release(1);
    expect(log).to.deep.equal(['get end']);
  });

  for (const maxsize of [5, Infinity]) {
    it(`(maxsize ${maxsize}) is not drained after end() while slots are reserved: a put accepted before the end still reaches a waiting getter`, () => {
      const fifo = new BoundedFifo<string>(maxsize, asyncScheduler);
      const log: string[] = [];
      fifo.want({ remaining: 2, granted: (n) => log.push(`granted ${n}`) });
      fifo.end();
      expect(fifo.drained).to.equal(false);
      fifo.get(getter(log.push.bind(log)));
      expect(log).to.deep.equal(['granted 2']); // still waiting: the producer may have spent its credits
      expect(fifo.commit('a')).to.equal(true);
      expect(log).to.deep.equal(['granted 2', 'get a']);
      fifo.get(getter(log.push.bind(log)));
      fifo.refund(1); // the producer saw the end: its last credit comes back
      expect(log).to.deep.equal(['granted 2', 'get a', 'get end']);
      expect(fifo.commit('b'), 'no reservation left').to.equal(false);
    });
  }

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

  it('with remote producers (credits) and remote consumers (leases) too: exact queue order, nothing lost, never over maxsize', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('get' as const), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('fetch' as const), wait: fc.boolean() }),
      fc.record({ kind: fc.constant('want' as const), n: fc.integer({ min: 1, max: 4 }), tryOnly: fc.boolean() }),
      fc.record({ kind: fc.constant('commit' as const) }),
      fc.record({ kind: fc.constant('refund' as const) }),
      fc.record({ kind: fc.constant('ack' as const) }),
      fc.record({ kind: fc.constant('giveBack' as const) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 250 }), (maxsize, ops) => {
        // The model: exactly what the queue should hold, front first.
        const model: number[] = [];
        const fifo = new BoundedFifo<number>(maxsize, asyncScheduler, { admitted: (item) => model.push(item) });
        let next = 0;
        let credits = 0; // granted to "the remote producer" and not used yet
        const leased: number[] = []; // held by "the remote consumer", oldest first
        const consumed: number[] = [];
        const refused = new Set<number>();
        const localAccepted: number[] = [];
        const localWaiting = new Set<number>();
        const tickets: { cancel: () => boolean; item?: number; fetch?: boolean }[] = [];
        const take = (item: number) => {
          expect(model.shift(), 'delivered in queue order').to.equal(item);
        };
        const localGetter = {
          delivered: (v: number) => {
            take(v);
            consumed.push(v);
          },
          failed() {},
          ended() {},
        };
        const leasingGetter = {
          leases: true,
          delivered: (v: number) => {
            take(v);
            leased.push(v);
          },
          failed() {},
          ended() {},
        };
        for (const o of ops) {
          switch (o.kind) {
            case 'put': {
              const item = next++;
              const accepted = () => {
                localWaiting.delete(item);
                for (const earlier of localWaiting) expect(earlier, 'no put overtakes an earlier waiting put').to.be.above(item);
                localWaiting.delete(item);
                localAccepted.push(item);
              };
              const t = fifo.put({ item, accepted, failed: () => refused.add(item) }, o.wait ? undefined : 0);
              if (t) {
                localWaiting.add(item);
                tickets.push({ cancel: () => fifo.cancelPut(t), item });
              }
              break;
            }
            case 'get':
            case 'fetch': {
              const getter = o.kind === 'get' ? localGetter : leasingGetter;
              const t = fifo.get(getter, o.wait ? undefined : 0);
              if (t) tickets.push({ cancel: () => fifo.cancelGet(t), fetch: o.kind === 'fetch' });
              break;
            }
            case 'want': {
              const t = fifo.want({ remaining: o.n, granted: (k) => (credits += k) }, o.tryOnly);
              if (t) tickets.push({ cancel: () => fifo.cancelPut(t) });
              break;
            }
            case 'commit':
              if (credits > 0) {
                credits--;
                expect(fifo.commit(next++)).to.equal(true);
              } else {
                expect(fifo.commit(-1)).to.equal(false);
              }
              break;
            case 'refund': {
              const unused = credits;
              credits = 0; // a refund may re-grant at once, to a credit request waiting in line
              fifo.refund(unused);
              break;
            }
            case 'ack':
              if (leased.length > 0) {
                consumed.push(leased.shift()!);
                fifo.release(1);
              }
              break;
            case 'giveBack':
              if (leased.length > 0) {
                const back = leased.splice(0, leased.length);
                model.unshift(...back);
                fifo.giveBack(back);
              }
              break;
            case 'cancel':
              if (tickets.length > 0) {
                const t = tickets.splice(o.pick % tickets.length, 1)[0]!;
                if (t.cancel() && t.item !== undefined) {
                  refused.add(t.item);
                  localWaiting.delete(t.item);
                }
              }
              break;
          }
          expect(fifo.occupied, 'occupied').to.be.at.most(maxsize);
          expect(fifo.reserved).to.equal(credits);
          expect(fifo.leased).to.equal(leased.length);
          expect(fifo.size).to.equal(model.length + leased.length);
          if (fifo.waitingGetters > 0) expect(model.length, 'getters wait only on an empty queue').to.equal(0);
        }
        // Local puts are accepted in the order they were made (no overtaking a waiting put).
        expect(localAccepted).to.deep.equal([...localAccepted].sort((a, b) => a - b));
        // Conservation: every item ever accepted is consumed, leased or still queued, exactly once.
        const everywhere = [...consumed, ...leased, ...model].sort((a, b) => a - b);
        expect(new Set(everywhere).size).to.equal(everywhere.length);
        for (const item of refused) expect(everywhere).to.not.include(item);
      }),
      { numRuns: 1000 },
    );
  });
});

/** Under `TestScheduler.run`, asyncScheduler itself runs in virtual time. */
function asyncSchedulerUnderTest() {
  return { scheduler: asyncScheduler };
}
