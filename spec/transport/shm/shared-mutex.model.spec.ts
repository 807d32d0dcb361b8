import { expect } from 'chai';
import fc from 'fast-check';
import { MUTEX_BYTES, SharedMutex } from '../../../src/transport/shm/shared-mutex.js';

// The layout of word 0 and the hand-off threshold, as the header of shared-mutex.ts gives them.
const STATE = 0;
const TICKETS = 2;
const CONTENDED = 2 ** 30;
const HANDED = 1 << 31;
const OWNER = CONTENDED - 1;
const STARVING_MS = 1;
/** The thread that learns of a death when every other one is dead (it never waits nor holds). */
const WATCHER = 5;

/** Arrival order across the 32-bit wrap, as the mutex compares tickets. */
const older = (a: number, b: number): boolean => ((a - b) | 0) < 0;

/** A simulated thread: its own `SharedMutex` over the shared words, and its waiters as mutex-waits.ts keeps them. */
interface Thread {
  id: number;
  mutex: SharedMutex;
  alive: boolean;
  /** Tickets of its waiters, in arrival order; its slot carries the first. */
  waiters: number[];
  /** When its slot got the ticket it carries (virtual ms). */
  since: number;
}

/**
 * Threads 1..4 taking one mutex, one step at a time, driven as
 * mutex-waits.ts drives it; rings are recorded, to be delivered later in
 * any order.
 */
class World {
  readonly words: Int32Array;
  readonly threads: Thread[] = [];
  rings: number[] = [];
  holder: number | undefined;
  /** The last holder died: the next taker is to be told. */
  abandoned = false;
  /** The ticket of the waiter the lock was last handed for. */
  handedFor: number | undefined;
  log: string[] = [];

  constructor(
    public clock: number,
    from?: World,
  ) {
    this.words = new Int32Array(new SharedArrayBuffer(MUTEX_BYTES));
    if (from) this.words.set(from.words);
    for (let id = 1; id <= WATCHER; id++) {
      const mutex = new SharedMutex(this.words, { me: id, ring: (owner) => this.rung(owner), now: () => this.clock });
      const was = from?.threads[id - 1];
      this.threads.push({ id, mutex, alive: was?.alive ?? id !== WATCHER, waiters: [...(was?.waiters ?? [])], since: was?.since ?? 0 });
    }
    if (from) {
      this.rings = [...from.rings];
      this.holder = from.holder;
      this.abandoned = from.abandoned;
      this.handedFor = from.handedFor;
      this.log = [...from.log];
    }
  }

  thread(id: number): Thread {
    return this.threads[id - 1]!;
  }
  get where(): string {
    return this.log.join('\n');
  }
  get state(): number {
    return Atomics.load(this.words, STATE);
  }
  /** The live thread whose first waiter is the oldest, if any waits. */
  oldest(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) if (t.alive && t.waiters.length > 0 && (!best || older(t.waiters[0]!, best.waiters[0]!))) best = t;
    return best;
  }

  private rung(owner: number): void {
    const state = this.state;
    if (state & HANDED && (state & OWNER) === owner) {
      const t = this.thread(owner);
      this.checkHandOff(t);
      this.handedFor = t.waiters[0];
    }
    this.rings.push(owner);
  }

  /** A hand-off goes to the thread with the oldest waiter, and only once that has waited over STARVING_MS. */
  private checkHandOff(t: Thread): void {
    const waited = this.clock - t.since;
    expect(t.alive && t.waiters.length > 0, `handed to ${t.id}, which does not wait\n${this.where}`).to.equal(true);
    expect(this.oldest()?.id, `handed to ${t.id} (ticket ${t.waiters[0]}), not to the oldest waiter's thread\n${this.where}`).to.equal(
      t.id,
    );
    expect(waited, `handed to ${t.id}, which has waited only ${waited} ms\n${this.where}`).to.be.greaterThan(STARVING_MS);
  }

  /** Bookkeeping of a take (`tryLock` or `claim` returned true). */
  private took(t: Thread, before: number, how: string): void {
    const where = `${t.id} took it by ${how}\n${this.where}`;
    expect(this.holder, `two holders: ${where}`).to.equal(undefined);
    if (before & HANDED) expect(before & OWNER, `a lock handed to another was taken: ${where}`).to.equal(t.id);
    expect(t.mutex.abandonedTaken, `abandonedTaken: ${where}`).to.equal(this.abandoned);
    t.mutex.abandonedTaken = false;
    this.abandoned = false;
    this.holder = t.id;
  }

  /** Whether a take now must succeed: the lock is free, or handed to `t`. */
  private free(t: Thread, before: number): boolean {
    return this.holder === undefined && (!(before & HANDED) || (before & OWNER) === t.id);
  }

  tryLock(t: Thread): void {
    const before = this.state;
    const got = t.mutex.tryLock();
    this.log.push(`tryLock by ${t.id} → ${got}`);
    expect(got, `tryLock by ${t.id}\n${this.where}`).to.equal(this.holder === undefined && !(before & HANDED));
    if (got) this.took(t, before, 'tryLock');
  }

  /** What a ring (or any look) makes a thread do: its first waiter claims (Waits.checkOne). */
  look(t: Thread): void {
    const first = t.waiters[0];
    if (first === undefined) return;
    const before = this.state;
    const got = t.mutex.claim();
    this.log.push(`claim by ${t.id} for ticket ${first} → ${got}`);
    expect(got, `claim by ${t.id}\n${this.where}`).to.equal(this.free(t, before));
    if (!got) return;
    this.took(t, before, before & HANDED ? 'hand-off' : 'claim');
    // A handed lock serves the waiter it was handed for, or (that one gave up) the thread's next.
    if (before & HANDED && first !== this.handedFor)
      expect(t.waiters, `handed for ticket ${this.handedFor}, taken for ${first}\n${this.where}`).to.not.include(this.handedFor);
    t.waiters.shift();
    this.enlistFirst(t);
  }

  /** Its slot carries its first waiter's ticket, or it leaves (Waits.drop). */
  private enlistFirst(t: Thread): void {
    const first = t.waiters[0];
    if (first === undefined) {
      t.mutex.enlist(undefined);
      return;
    }
    expect(t.mutex.enlist(first)).to.equal(true);
    t.since = this.clock;
  }

  wait(t: Thread): void {
    const ticket = t.mutex.ticket();
    this.log.push(`${t.id} waits with ticket ${ticket}`);
    const last = t.waiters.at(-1);
    if (last !== undefined) expect(older(last, ticket), `tickets out of order\n${this.where}`).to.equal(true);
    t.waiters.push(ticket);
    if (t.waiters.length > 1) return;
    this.enlistFirst(t);
    this.look(t);
  }

  /** A waiter times out (Waits.remove). */
  giveUp(t: Thread, pick: number): void {
    if (t.waiters.length === 0) return;
    const at = pick % t.waiters.length;
    this.log.push(`${t.id} gives up ticket ${t.waiters[at]}`);
    t.waiters.splice(at, 1);
    if (t.waiters.length === 0) this.enlistFirst(t);
    else if (at === 0) {
      this.enlistFirst(t);
      this.look(t);
    }
  }

  unlock(): void {
    if (this.holder === undefined) return;
    const t = this.thread(this.holder);
    this.log.push(`unlock by ${t.id}`);
    this.holder = undefined;
    expect(t.mutex.unlock(), `unlock by ${t.id}\n${this.where}`).to.equal(true);
  }

  deliver(pick: number): void {
    if (this.rings.length === 0) return;
    const [owner] = this.rings.splice(pick % this.rings.length, 1) as [number];
    this.log.push(`ring delivered to ${owner}`);
    this.look(this.thread(owner));
  }

  die(t: Thread, by: number): void {
    const others = this.threads.filter((o) => o.alive && o !== t);
    const watcher = others[by % others.length] ?? this.thread(WATCHER);
    this.log.push(`${t.id} dies${this.holder === t.id ? ' holding' : ''}; ${watcher.id} learns it`);
    t.alive = false;
    t.waiters = [];
    if (this.holder === t.id) {
      this.holder = undefined;
      this.abandoned = true;
    }
    this.rings = this.rings.filter((o) => o !== t.id);
    watcher.mutex.dropOwners((o) => o === t.id);
  }

  /** Delivers every ring, and the rings those make, until none is left. */
  settle(): void {
    for (let n = 0; this.rings.length > 0; n++) {
      expect(n, `rings never stop\n${this.where}`).to.be.below(1000);
      this.deliver(0);
    }
  }

  /** Checks what must hold between steps. */
  check(): void {
    const where = this.where;
    const state = this.state;
    const handed = (state & HANDED) !== 0;
    for (const t of this.threads) expect(t.mutex.locked(), `locked()\n${where}`).to.equal(this.holder !== undefined || handed);
    if (handed) {
      const to = this.thread(state & OWNER);
      expect(this.holder, `held and handed\n${where}`).to.equal(undefined);
      expect(to.alive && to.waiters.length > 0, `handed to ${to.id}, which does not wait\n${where}`).to.equal(true);
    } else if ((state & OWNER) !== 0) expect(state & OWNER, `the state names a holder\n${where}`).to.equal(this.holder);
    // No lost wake-up: once every ring is delivered, someone holds it, or nobody waits; a handed lock reaches its thread.
    const later = new World(this.clock, this);
    later.settle();
    if (later.holder === undefined)
      expect(later.oldest()?.id, `nobody holds it, and a waiter is never rung\n${later.where}`).to.equal(undefined);
    if (handed) expect(later.holder, `handed to ${state & OWNER}, taken by another\n${later.where}`).to.equal(state & OWNER);
    // A waiter that has waited over STARVING_MS is the next to get it once its holder unlocks: a newcomer cannot barge in.
    if (later.holder !== undefined) {
      const oldest = later.oldest();
      const starving = oldest !== undefined && later.clock - oldest.since > STARVING_MS;
      later.unlock();
      if (starving) later.tryLock(later.thread(WATCHER));
      later.settle();
      if (later.holder === undefined)
        expect(later.oldest()?.id, `after an unlock, a waiter is never rung\n${later.where}`).to.equal(undefined);
      if (starving)
        expect(later.holder, `after an unlock, ${oldest.id} waited over ${STARVING_MS} ms but\n${later.where}`).to.equal(oldest.id);
    }
  }
}

type Command =
  | { t: 'tryLock'; who: number }
  | { t: 'wait'; who: number }
  | { t: 'deliver'; pick: number }
  | { t: 'look'; who: number }
  | { t: 'giveUp'; who: number; pick: number }
  | { t: 'unlock' }
  | { t: 'tick'; ms: number }
  | { t: 'die'; who: number; by: number };

const who = fc.integer({ min: 1, max: 4 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('tryLock' as const), who }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('wait' as const), who }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('look' as const), who }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('giveUp' as const), who, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('unlock' as const) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('die' as const), who, by: fc.nat() }) },
);

function run(clock: number, firstTicket: number, commands: Command[]): void {
  const world = new World(clock);
  world.words[TICKETS] = firstTicket;
  for (const c of commands) {
    if (c.t === 'deliver') world.deliver(c.pick);
    else if (c.t === 'unlock') world.unlock();
    else if (c.t === 'tick') {
      world.clock += c.ms;
      world.log.push(`${c.ms} ms pass`);
    } else {
      const t = world.thread(c.who);
      if (!t.alive) continue;
      if (c.t === 'tryLock') {
        // Lock.tryAcquire: only a thread with no waiters tries.
        if (t.waiters.length === 0) world.tryLock(t);
      } else if (c.t === 'wait') world.wait(t);
      else if (c.t === 'look') {
        // A ring says only "look again": any wake-up of the thread (another primitive's) makes its first waiter claim.
        world.log.push(`${t.id} looks again`);
        world.look(t);
      } else if (c.t === 'giveUp') world.giveUp(t, c.pick);
      else world.die(t, c.by);
    }
    world.check();
  }
}

describe('SharedMutex (model: threads taking turns over shared words)', () => {
  it('one holder at a time, no lost wake-up, hand-offs to the oldest waiter, a dead holder’s lock told abandoned', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1000, 2 ** 31 - 3),
        fc.constantFrom(0, 2 ** 31 - 6),
        fc.array(command, { maxLength: 40, size: 'max' }),
        (clock, firstTicket, commands) => run(clock, firstTicket, commands),
      ),
      { numRuns: 3000 },
    );
  });

  /** Threads 1..n (`m[id]`) over one mutex, with one ring log and one clock. */
  function threads(n: number, clock = 1000) {
    const words = new Int32Array(new SharedArrayBuffer(MUTEX_BYTES));
    const world = { rings: [] as number[], clock };
    const m: SharedMutex[] = [];
    for (let me = 1; me <= n; me++)
      m[me] = new SharedMutex(words, { me, ring: (owner) => world.rings.push(owner), now: () => world.clock });
    return { world, m };
  }

  it('the oldest waiter, rung to a lock just freed, gives up: the next waiter is rung', () => {
    const { world, m } = threads(3);
    expect(m[1]!.tryLock()).to.equal(true);
    expect(m[3]!.enlist(m[3]!.ticket())).to.equal(true);
    expect(m[3]!.claim()).to.equal(false);
    expect(m[2]!.enlist(m[2]!.ticket())).to.equal(true);
    expect(m[2]!.claim()).to.equal(false);
    expect(m[1]!.unlock()).to.equal(true); // waited ≤ 1 ms: freed, and 3 (the oldest) rung
    expect(world.rings).to.deep.equal([3]);
    m[3]!.enlist(undefined); // 3's only waiter times out before its ring is up
    expect(m[1]!.locked()).to.equal(false);
    expect(world.rings, 'nobody will ever wake 2').to.include(2);
  });

  it('a lock handed after its holder died, whose handee gives up, still tells its next taker it was abandoned', () => {
    const { world, m } = threads(4);
    expect(m[4]!.tryLock()).to.equal(true);
    expect(m[2]!.enlist(m[2]!.ticket())).to.equal(true);
    expect(m[2]!.claim()).to.equal(false);
    world.clock += 2;
    m[1]!.dropOwners((o) => o === 4); // handed to 2 (waited > 1 ms), to be told
    expect(world.rings).to.deep.equal([2]);
    m[2]!.enlist(undefined); // 2's waiter times out: the lock is passed on, here freed
    expect(m[1]!.tryLock()).to.equal(true);
    expect(m[1]!.abandonedTaken).to.equal(true);
  });

  it('a waiter that has waited over 1 ms across the wrap of the 31-bit clock is handed the lock', () => {
    const { world, m } = threads(3, 2 ** 31 - 2);
    expect(m[1]!.tryLock()).to.equal(true);
    expect(m[2]!.enlist(m[2]!.ticket())).to.equal(true);
    expect(m[2]!.claim()).to.equal(false);
    world.clock += 3; // now() is 1: 3 ms later
    expect(m[1]!.unlock()).to.equal(true);
    expect(m[3]!.tryLock(), 'a newcomer barged in ahead of a waiter starving for 3 ms').to.equal(false);
    expect(world.rings).to.deep.equal([2]);
    expect(m[2]!.claim()).to.equal(true);
  });
});
