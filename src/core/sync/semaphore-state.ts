/**
 * The state of a semaphore kept in shared memory, as plain words, so every
 * thread and process that maps them sees one state: the free units, who
 * holds units (so that a dead holder's units can be given back), and the
 * waiters in arrival order. Lock, RLock, BoundedSemaphore, Condition,
 * Event and Barrier are built from it (a Lock is a semaphore of one unit).
 *
 * Pure: no I/O, no time. The caller holds the cell's guard around every
 * call and wakes the owners a call returns (through their doorbells).
 *
 * Rules:
 * - FIFO: a take never passes a waiter; units freed go to the first waiter
 *   while it fits (a waiter wanting more than is free keeps the others
 *   behind it waiting).
 * - No lost wake-up: after every call, the first waiter wants more than
 *   the free units (or there is no waiter).
 * - No double grant: a ticket is granted at most once; a granted waiter
 *   collects its grant (or, if it died, the grant goes back).
 * - A holder that dies gives its units back, and the next taker is told
 *   (`abandoned`), as pthread's EOWNERDEAD.
 *
 * Layout, in Int32 words from the start of the view:
 *
 *   0  free units        1  bound (-1 = none)   2  head    3  tail
 *   4  abandoned units not yet reported          5..7  reserved
 *   8..     HOLDERS slots of { owner, units }
 *   then    WAITERS records of { owner, want, state }, a ring indexed by ticket
 */
export const HOLDERS = 32;
export const WAITERS = 32;

const FREE = 0;
const BOUND = 1;
const HEAD = 2;
const TAIL = 3;
const ABANDONED = 4;
const HOLDER_BASE = 8;
const WAITER_BASE = HOLDER_BASE + HOLDERS * 2;
export const SEMAPHORE_WORDS = WAITER_BASE + WAITERS * 3;

/** A waiter record's state. */
const EMPTY = 0;
const WAITING = 1;
const GRANTED = 2;
const GRANTED_ABANDONED = 3;
const WITHDRAWN = 4;

/** A waiter that was given its units: wake `owner`; `ticket` collects them. */
export interface Grant {
  ticket: number;
  owner: number;
}

export type TakeResult = { ok: true; abandoned: boolean } | { ok: false; reason: 'busy' | 'holders-full' };

export class SemaphoreState {
  constructor(private readonly w: Int32Array) {
    if (w.length < SEMAPHORE_WORDS) throw new RangeError(`a semaphore needs ${SEMAPHORE_WORDS} words, got ${w.length}`);
  }

  /** Sets up fresh (zeroed) words: `value` free units, `bound` (-1 for none). */
  init(value: number, bound: number): void {
    this.w[FREE] = value;
    this.w[BOUND] = bound;
  }

  get value(): number {
    return this.w[FREE] as number;
  }

  /** Waiters still waiting (not granted, not withdrawn). */
  get waiting(): number {
    let n = 0;
    for (let t = this.head; t !== this.tail; t = (t + 1) >>> 0) if (this.state(t) === WAITING) n++;
    return n;
  }

  /** Units `owner` holds. */
  held(owner: number): number {
    const slot = this.holderSlot(owner);
    return slot < 0 ? 0 : (this.w[HOLDER_BASE + slot * 2 + 1] as number);
  }

  /** Takes `want` units now if nobody waits ahead and they are free. */
  tryTake(owner: number, want: number): TakeResult {
    if (this.firstWaiting() !== undefined || (this.w[FREE] as number) < want) return { ok: false, reason: 'busy' };
    if (!this.addHolding(owner, want)) return { ok: false, reason: 'holders-full' };
    this.w[FREE] = (this.w[FREE] as number) - want;
    return { ok: true, abandoned: this.reportAbandoned() };
  }

  /**
   * Queues `owner` for `want` units: its ticket (-1 when the ring is full),
   * and who is granted now (the new waiter itself, if the units are free and
   * nobody waits ahead of it).
   */
  enqueue(owner: number, want: number): { ticket: number; grants: Grant[] } {
    const ticket = this.tail;
    if ((ticket - this.head) >>> 0 >= WAITERS || this.state(ticket) !== EMPTY) return { ticket: -1, grants: [] };
    const at = this.record(ticket);
    this.w[at] = owner;
    this.w[at + 1] = want;
    this.w[at + 2] = WAITING;
    this.w[TAIL] = (ticket + 1) >>> 0;
    return { ticket, grants: this.grant() };
  }

  /**
   * Gives back `units` (taken from what `owner` holds when it holds any,
   * else from any holder: a semaphore may be released by anyone). Returns
   * the waiters granted, or `'over'` (nothing changes) when a bound would
   * be passed.
   */
  release(owner: number, units: number): Grant[] | 'over' {
    const bound = this.w[BOUND] as number;
    if (bound >= 0 && (this.w[FREE] as number) + units > bound) return 'over';
    let left = units;
    left -= this.dropHolding(this.holderSlot(owner), left);
    for (let slot = 0; slot < HOLDERS && left > 0; slot++) left -= this.dropHolding(slot, left);
    this.w[FREE] = (this.w[FREE] as number) + units;
    return this.grant();
  }

  /**
   * Adds `units` free units without taking them from any holder (a
   * Condition's notify: signals, not resources), granting waiters.
   */
  post(units: number): Grant[] {
    this.w[FREE] = (this.w[FREE] as number) + units;
    return this.grant();
  }

  /** `owner` holds `units` fewer, none of them coming back free (a Condition's waiter took its signal). */
  forget(owner: number, units: number): void {
    this.dropHolding(this.holderSlot(owner), units);
  }

  /** Drops free units nobody waits for (a Condition's notify to waiters that died, with nobody left to pass it to). */
  discardUnwanted(): void {
    if (this.firstWaiting() === undefined) this.w[FREE] = 0;
  }

  /**
   * A waiter gives up (timeout, abort): `'withdrawn'` if it was still
   * waiting (and who is granted because it left), `'granted'` if its grant
   * came first (it holds the units and must collect or release them).
   */
  withdraw(ticket: number): { outcome: 'withdrawn'; grants: Grant[] } | { outcome: 'granted' | 'unknown' } {
    const state = this.state(ticket);
    if (state === GRANTED || state === GRANTED_ABANDONED) return { outcome: 'granted' };
    if (state !== WAITING || !this.live(ticket)) return { outcome: 'unknown' };
    this.w[this.record(ticket) + 2] = WITHDRAWN;
    return { outcome: 'withdrawn', grants: this.grant() };
  }

  /** Has `ticket` been granted? Collecting frees its record; `abandoned` says a dead holder left the units. */
  collect(ticket: number): { granted: false } | { granted: true; abandoned: boolean } {
    const at = this.record(ticket);
    const state = this.w[at + 2];
    if (state !== GRANTED && state !== GRANTED_ABANDONED) return { granted: false };
    this.w[at] = 0;
    this.w[at + 1] = 0;
    this.w[at + 2] = EMPTY;
    return { granted: true, abandoned: state === GRANTED_ABANDONED };
  }

  /**
   * Every owner `dead(owner)` names is gone: its waits are withdrawn, its
   * uncollected grants and its holdings come back as free units (reported
   * to the next taker as abandoned). Returns who is granted because of it.
   */
  dropOwners(dead: (owner: number) => boolean): Grant[] {
    let back = 0;
    for (let slot = 0; slot < HOLDERS; slot++) {
      const at = HOLDER_BASE + slot * 2;
      if (this.w[at + 1] !== 0 && dead(this.w[at] as number)) {
        back += this.w[at + 1] as number;
        this.w[at] = 0;
        this.w[at + 1] = 0;
      }
    }
    for (let i = 0; i < WAITERS; i++) {
      const at = WAITER_BASE + i * 3;
      const state = this.w[at + 2];
      if (state === EMPTY || !dead(this.w[at] as number)) continue;
      // A grant it never collected is already counted in its holdings above.
      this.w[at + 2] = state === WAITING ? WITHDRAWN : EMPTY;
    }
    if (back > 0) {
      this.w[FREE] = (this.w[FREE] as number) + back;
      this.w[ABANDONED] = (this.w[ABANDONED] as number) + back;
    }
    return this.grant();
  }

  /** Units go to the first waiters while they fit; head moves past what is settled. */
  private grant(): Grant[] {
    const grants: Grant[] = [];
    for (;;) {
      this.advanceHead();
      const ticket = this.firstWaiting();
      if (ticket === undefined) return grants;
      const at = this.record(ticket);
      const owner = this.w[at] as number;
      const want = this.w[at + 1] as number;
      if ((this.w[FREE] as number) < want || !this.addHolding(owner, want)) return grants;
      this.w[FREE] = (this.w[FREE] as number) - want;
      this.w[at + 2] = this.reportAbandoned() ? GRANTED_ABANDONED : GRANTED;
      grants.push({ ticket, owner });
    }
  }

  /** The first record still waiting, at the head once `advanceHead` ran. */
  private firstWaiting(): number | undefined {
    for (let t = this.head; t !== this.tail; t = (t + 1) >>> 0) if (this.state(t) === WAITING) return t;
    return undefined;
  }

  /** Head moves past granted and withdrawn records (withdrawn ones are emptied; grants wait to be collected). */
  private advanceHead(): void {
    let t = this.head;
    while (t !== this.tail) {
      const state = this.state(t);
      if (state === WAITING) break;
      if (state === WITHDRAWN) this.w[this.record(t) + 2] = EMPTY;
      t = (t + 1) >>> 0;
    }
    this.w[HEAD] = t;
  }

  private reportAbandoned(): boolean {
    if ((this.w[ABANDONED] as number) === 0) return false;
    this.w[ABANDONED] = 0;
    return true;
  }

  private addHolding(owner: number, units: number): boolean {
    let slot = this.holderSlot(owner);
    if (slot < 0) {
      for (let i = 0; i < HOLDERS && slot < 0; i++) if (this.w[HOLDER_BASE + i * 2 + 1] === 0) slot = i;
      if (slot < 0) return false;
      this.w[HOLDER_BASE + slot * 2] = owner;
    }
    const at = HOLDER_BASE + slot * 2 + 1;
    this.w[at] = (this.w[at] as number) + units;
    return true;
  }

  /** Takes up to `units` from holder `slot`; how many it took. */
  private dropHolding(slot: number, units: number): number {
    if (slot < 0 || units <= 0) return 0;
    const at = HOLDER_BASE + slot * 2;
    const had = this.w[at + 1] as number;
    const taken = Math.min(had, units);
    this.w[at + 1] = had - taken;
    if (had === taken) this.w[at] = 0;
    return taken;
  }

  private holderSlot(owner: number): number {
    for (let i = 0; i < HOLDERS; i++) {
      const at = HOLDER_BASE + i * 2;
      if (this.w[at] === owner && this.w[at + 1] !== 0) return i;
    }
    return -1;
  }

  private get head(): number {
    return (this.w[HEAD] as number) >>> 0;
  }

  private get tail(): number {
    return (this.w[TAIL] as number) >>> 0;
  }

  private live(ticket: number): boolean {
    return (ticket - this.head) >>> 0 < (this.tail - this.head) >>> 0;
  }

  private record(ticket: number): number {
    return WAITER_BASE + (ticket % WAITERS) * 3;
  }

  private state(ticket: number): number {
    return this.w[this.record(ticket) + 2] as number;
  }
}
