import { expect } from 'chai';
import fc from 'fast-check';
import { type Grant, SEMAPHORE_WORDS, SemaphoreState, WAITERS } from '../../../src/core/sync/semaphore-state.js';

/** The same rules, written the obvious way, to check the shared-word version against. */
class Model {
  /** Holders in slots, allocated first-free as the real one does (a release by a non-holder takes from the first slot that holds). */
  slots: { owner: number; units: number }[] = Array.from({ length: 32 }, () => ({ owner: 0, units: 0 }));
  holders = {
    get: (owner: number): number | undefined => this.slots.find((x) => x.units > 0 && x.owner === owner)?.units,
  };
  records = new Map<number, { owner: number; want: number; state: 'waiting' | 'granted' | 'withdrawn'; abandoned: boolean }>();
  head = 0;
  tail = 0;
  abandoned = 0;
  constructor(
    public free: number,
    readonly bound: number,
  ) {}

  firstWaiting(): number | undefined {
    for (let t = this.head; t < this.tail; t++) if (this.records.get(t)?.state === 'waiting') return t;
    return undefined;
  }
  report(): boolean {
    const was = this.abandoned > 0;
    this.abandoned = 0;
    return was;
  }
  hold(owner: number, units: number): void {
    const slot = this.slots.find((x) => x.units > 0 && x.owner === owner) ?? this.slots.find((x) => x.units === 0);
    if (!slot) throw new Error('holders full');
    slot.owner = owner;
    slot.units += units;
  }
  tryTake(owner: number, want: number) {
    if (this.firstWaiting() !== undefined || this.free < want) return { ok: false, reason: 'busy' };
    this.hold(owner, want);
    this.free -= want;
    return { ok: true, abandoned: this.report() };
  }
  enqueue(owner: number, want: number): { ticket: number; grants: Grant[] } {
    if (this.tail - this.head >= WAITERS) return { ticket: -1, grants: [] };
    for (const [t, r] of this.records) if (t % WAITERS === this.tail % WAITERS && r.state === 'granted') return { ticket: -1, grants: [] };
    this.records.set(this.tail, { owner, want, state: 'waiting', abandoned: false });
    const ticket = this.tail++;
    return { ticket, grants: this.grant() };
  }
  grant(): Grant[] {
    const grants: Grant[] = [];
    for (;;) {
      this.advance();
      const t = this.firstWaiting();
      if (t === undefined) return grants;
      const r = this.records.get(t)!;
      if (this.free < r.want) return grants;
      this.free -= r.want;
      this.hold(r.owner, r.want);
      r.state = 'granted';
      r.abandoned = this.report();
      grants.push({ ticket: t, owner: r.owner });
    }
  }
  advance(): void {
    while (this.head < this.tail && this.records.get(this.head)?.state !== 'waiting') {
      if (this.records.get(this.head)?.state === 'withdrawn') this.records.delete(this.head);
      this.head++;
    }
  }
  release(owner: number, units: number): Grant[] | 'over' {
    if (this.bound >= 0 && this.free + units > this.bound) return 'over';
    let left = units;
    const take = (slot: { owner: number; units: number } | undefined) => {
      if (!slot || left <= 0) return;
      const n = Math.min(slot.units, left);
      slot.units -= n;
      if (slot.units === 0) slot.owner = 0;
      left -= n;
    };
    take(this.slots.find((x) => x.units > 0 && x.owner === owner));
    for (const slot of this.slots) take(slot);
    this.free += units;
    return this.grant();
  }
  withdraw(ticket: number) {
    const r = this.records.get(ticket)!;
    if (r.state === 'granted') return { outcome: 'granted' };
    r.state = 'withdrawn';
    return { outcome: 'withdrawn', grants: this.grant() };
  }
  collect(ticket: number) {
    const r = this.records.get(ticket)!;
    if (r.state !== 'granted') return { granted: false };
    this.records.delete(ticket);
    return { granted: true, abandoned: r.abandoned };
  }
  die(owner: number): Grant[] {
    let back = 0;
    for (const slot of this.slots) {
      if (slot.units > 0 && slot.owner === owner) {
        back += slot.units;
        slot.units = 0;
        slot.owner = 0;
      }
    }
    for (const [t, r] of this.records) {
      if (r.owner !== owner) continue;
      if (r.state === 'waiting') r.state = 'withdrawn';
      else if (r.state === 'granted') this.records.delete(t);
    }
    if (back > 0) {
      this.free += back;
      this.abandoned += back;
    }
    return this.grant();
  }
  waiting(): number {
    return [...this.records.values()].filter((r) => r.state === 'waiting').length;
  }
}

type Command =
  | { t: 'take'; owner: number; want: number }
  | { t: 'enqueue'; owner: number; want: number }
  | { t: 'release'; owner: number; units: number }
  | { t: 'withdraw'; pick: number }
  | { t: 'collect'; pick: number }
  | { t: 'die'; owner: number };

const owner = fc.integer({ min: 1, max: 4 });
const units = fc.integer({ min: 1, max: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ t: fc.constant('take' as const), owner, want: units }),
  fc.record({ t: fc.constant('enqueue' as const), owner, want: units }),
  fc.record({ t: fc.constant('release' as const), owner, units }),
  fc.record({ t: fc.constant('withdraw' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('collect' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('die' as const), owner }),
);

describe('SemaphoreState (shared words)', () => {
  it('behaves as the model under any sequence of take, wait, release, withdraw, collect and death', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.array(command, { maxLength: 120 }), (initial, bounded, commands) => {
        const bound = bounded ? initial + 1 : -1;
        const words = new Int32Array(SEMAPHORE_WORDS);
        const real = new SemaphoreState(words);
        real.init(initial, bound);
        const model = new Model(initial, bound);
        const granted = new Set<number>();
        // Tickets a live waiter may still withdraw or collect.
        const outstanding: number[] = [];
        for (const c of commands) {
          let a: unknown;
          let b: unknown;
          if (c.t === 'take') {
            a = real.tryTake(c.owner, c.want);
            b = model.tryTake(c.owner, c.want);
          } else if (c.t === 'enqueue') {
            a = real.enqueue(c.owner, c.want);
            b = model.enqueue(c.owner, c.want);
            const { ticket } = a as { ticket: number };
            if (ticket >= 0) outstanding.push(ticket);
          } else if (c.t === 'release') {
            a = real.release(c.owner, c.units);
            b = model.release(c.owner, c.units);
          } else if (c.t === 'die') {
            a = real.dropOwners((o) => o === c.owner);
            b = model.die(c.owner);
            for (let i = outstanding.length - 1; i >= 0; i--) {
              const state = model.records.get(outstanding[i]!)?.state;
              if (state !== 'waiting' && state !== 'granted') outstanding.splice(i, 1);
            }
          } else {
            if (outstanding.length === 0) continue;
            const i = c.pick % outstanding.length;
            const ticket = outstanding[i]!;
            if (c.t === 'withdraw') {
              a = real.withdraw(ticket);
              b = model.withdraw(ticket);
              if ((b as { outcome: string }).outcome === 'withdrawn') outstanding.splice(i, 1);
            } else {
              a = real.collect(ticket);
              b = model.collect(ticket);
              if ((b as { granted: boolean }).granted) outstanding.splice(i, 1);
            }
          }
          expect(a, JSON.stringify(c)).to.deep.equal(b);
          for (const g of Array.isArray(a) ? (a as Grant[]) : ((a as { grants?: Grant[] })?.grants ?? [])) {
            expect(granted.has(g.ticket), `ticket ${g.ticket} granted twice`).to.equal(false);
            granted.add(g.ticket);
          }
          expect(real.value).to.equal(model.free);
          expect(real.waiting).to.equal(model.waiting());
          for (let o = 1; o <= 4; o++) expect(real.held(o)).to.equal(model.holders.get(o) ?? 0);
          // No lost wake-up: the first waiter, if any, wants more than is free.
          const first = model.firstWaiting();
          if (first !== undefined) expect(model.records.get(first)!.want).to.be.greaterThan(real.value);
          if (bound >= 0) expect(real.value).to.be.at.most(bound);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('grants in arrival order, and a dead holder’s unit goes to the next waiter, told it was abandoned', () => {
    const s = new SemaphoreState(new Int32Array(SEMAPHORE_WORDS));
    s.init(1, 1);
    expect(s.tryTake(1, 1)).to.deep.equal({ ok: true, abandoned: false });
    const t2 = s.enqueue(2, 1).ticket;
    const t3 = s.enqueue(3, 1).ticket;
    expect(s.tryTake(4, 1)).to.deep.equal({ ok: false, reason: 'busy' });
    expect(s.dropOwners((o) => o === 1)).to.deep.equal([{ ticket: t2, owner: 2 }]);
    expect(s.collect(t2)).to.deep.equal({ granted: true, abandoned: true });
    expect(s.release(2, 1)).to.deep.equal([{ ticket: t3, owner: 3 }]);
    expect(s.collect(t3)).to.deep.equal({ granted: true, abandoned: false });
    expect(s.release(3, 1)).to.deep.equal([]);
    expect(s.release(3, 1)).to.equal('over');
    expect(s.value).to.equal(1);
  });

  it("as a Condition's waiters: post(n) grants the n oldest, a taken signal leaves nothing held, one sent to a dead waiter goes to the next or nowhere", () => {
    const s = new SemaphoreState(new Int32Array(SEMAPHORE_WORDS));
    s.init(0, -1);
    const t1 = s.enqueue(1, 1).ticket;
    const t2 = s.enqueue(2, 1).ticket;
    const t3 = s.enqueue(3, 1).ticket;
    expect(s.post(1)).to.deep.equal([{ ticket: t1, owner: 1 }]);
    expect(s.collect(t1)).to.deep.equal({ granted: true, abandoned: false });
    s.forget(1, 1);
    expect(s.held(1), 'a taken signal is not held').to.equal(0);
    // A signal to waiter 2, who dies before taking it: it goes to waiter 3.
    expect(s.post(1)).to.deep.equal([{ ticket: t2, owner: 2 }]);
    expect(s.dropOwners((o) => o === 2)).to.deep.equal([{ ticket: t3, owner: 3 }]);
    expect(s.collect(t3).granted).to.equal(true);
    s.forget(3, 1);
    // A signal to a waiter that dies with nobody left: discarded, not kept for a later wait.
    const t4 = s.enqueue(4, 1).ticket;
    expect(s.post(1)).to.deep.equal([{ ticket: t4, owner: 4 }]);
    expect(s.dropOwners((o) => o === 4)).to.deep.equal([]);
    s.discardUnwanted();
    expect(s.value).to.equal(0);
    expect(s.enqueue(5, 1).grants, 'a later wait waits').to.deep.equal([]);
    expect(s.waiting).to.equal(1);
  });
});
