/**
 * The state of a barrier kept in shared memory, as plain words, so every
 * thread and process that maps them sees one barrier. Pure: no I/O, no
 * time; the caller holds the guard around every call and rings the owners
 * a call returns.
 *
 * Generations: parties arrive in generation `gen`; the last one to arrive
 * ends it (`gen` moves on at once, so new arrivals count for the next),
 * and its waiters go once it is `done` (after the action, if there is
 * one). A generation ends passed or broken; the last 32 outcomes are kept
 * as bits, so a waiter that looks late still learns its own.
 *
 * Rules:
 * - A waiter of generation g leaves when `done > g`: passed, or broken
 *   (abort, reset, a timeout, the action throwing, a party dying while
 *   inside) — never both, never neither.
 * - Broken stays broken (new arrivals are refused) until `reset`.
 * - The action runs once per generation, in order, in the thread that
 *   created the barrier (`creator`), before any waiter of that generation leaves.
 *
 * Layout, in Int32 words:
 *   0 parties   1 arrived in this generation   2 gen   3 done (gens < done ended)
 *   4 broken    5 outcome bits (bit g % 32: g ended broken)
 *   6 generations ended but waiting for the action (from `done` on)
 *   7 creator: owner id of the thread with the action, 0 none, -1 gone
 *   8..  ENTRIES records { owner, gen, parties } of the threads waiting
 */
export const ENTRIES = 32;
const PARTIES = 0;
const COUNT = 1;
const GEN = 2;
const DONE = 3;
const BROKEN = 4;
const BITS = 5;
const PENDING = 6;
const CREATOR = 7;
const ENTRY_BASE = 8;
export const BARRIER_WORDS = ENTRY_BASE + ENTRIES * 3;

/** The creator of a barrier with an action has died: its action can run no more. */
const GONE = -1;

export type Arrival =
  | { kind: 'broken' }
  | { kind: 'full' }
  /** Wait for generation `gen` to be done. */
  | { kind: 'wait'; gen: number; index: number; wake: number[] }
  /** The last party, with no action: the generation is done; wake `wake`. */
  | { kind: 'passed'; gen: number; index: number; wake: number[] }
  /** The last party, in the creator's thread: run the pending actions (`complete` each), then see `outcome(gen)`. */
  | { kind: 'action'; gen: number; index: number };

export class BarrierState {
  constructor(private readonly w: Int32Array) {
    if (w.length < BARRIER_WORDS) throw new RangeError(`a barrier needs ${BARRIER_WORDS} words, got ${w.length}`);
  }

  init(parties: number, creator: number): void {
    this.w[PARTIES] = parties;
    this.w[CREATOR] = creator;
  }

  get parties(): number {
    return this.w[PARTIES] as number;
  }

  get broken(): boolean {
    return this.w[BROKEN] === 1;
  }

  /** Parties waiting in the current generation (0 when broken). */
  get waiting(): number {
    return this.broken ? 0 : (this.w[COUNT] as number);
  }

  /** The generation whose action is to run next (the oldest not done), if any. */
  get pending(): number | undefined {
    return (this.w[PENDING] as number) > 0 ? (this.w[DONE] as number) : undefined;
  }

  arrive(owner: number): Arrival {
    if (this.broken) return { kind: 'broken' };
    const gen = this.w[GEN] as number;
    const index = this.w[COUNT] as number;
    const last = index + 1 === this.w[PARTIES];
    const creator = this.w[CREATOR] as number;
    const waits = !last || (creator !== 0 && creator !== owner);
    if (waits && !this.addEntry(owner, gen)) return { kind: 'full' };
    if (!last) {
      this.w[COUNT] = index + 1;
      return { kind: 'wait', gen, index, wake: [] };
    }
    this.w[COUNT] = 0;
    this.w[GEN] = (gen + 1) | 0;
    if (creator === 0) return { kind: 'passed', gen, index, wake: this.finish(gen, true) };
    if (creator === GONE) {
      // Its action can run no more: the generation just filled ends broken (as one waiting for its action).
      this.w[PENDING] = (this.w[PENDING] as number) + 1;
      return { kind: 'wait', gen, index, wake: this.breakNow() };
    }
    this.w[PENDING] = (this.w[PENDING] as number) + 1;
    if (creator === owner) return { kind: 'action', gen, index };
    return { kind: 'wait', gen, index, wake: [creator] };
  }

  /** The action of the `pending` generation ran (`ok`: without throwing); its waiters go. */
  complete(ok: boolean): number[] {
    const gen = this.pending;
    if (gen === undefined) return [];
    this.w[PENDING] = (this.w[PENDING] as number) - 1;
    const wake = this.finish(gen, ok);
    // A throwing action breaks the barrier, and with it everything still in flight.
    if (!ok) wake.push(...this.breakNow());
    return wake;
  }

  /** How generation `gen` ended, for one of its waiters. */
  outcome(gen: number): 'waiting' | 'passed' | 'broken' {
    const ahead = ((this.w[DONE] as number) - gen) | 0;
    if (ahead <= 0) return 'waiting';
    return (this.w[BITS] as number) & (1 << (gen & 31)) ? 'broken' : 'passed';
  }

  /** Breaks it (abort, a timeout, a party's death): every waiter leaves broken; it stays broken until `reset`. */
  breakNow(): number[] {
    this.w[BROKEN] = 1;
    return this.endCurrent();
  }

  /** Back to fresh: waiters of the current generation leave broken; new arrivals count again. */
  reset(): number[] {
    const wake = this.endCurrent();
    this.w[BROKEN] = 0;
    return wake;
  }

  /** Owners `dead` names are gone: a barrier one of them waits in breaks. */
  dropOwners(dead: (owner: number) => boolean): number[] {
    let inside = false;
    for (let i = 0; i < ENTRIES; i++) {
      const at = ENTRY_BASE + i * 3;
      if (this.w[at + 2] === 0 || !dead(this.w[at] as number)) continue;
      inside = true;
      this.clearEntry(at);
    }
    const creator = this.w[CREATOR] as number;
    if (creator > 0 && dead(creator)) {
      this.w[CREATOR] = GONE;
      if (this.pending !== undefined) inside = true;
    }
    return inside ? this.breakNow() : [];
  }

  /** Ends what is in flight as broken: the generation waiting for its action, and the one filling. */
  private endCurrent(): number[] {
    const wake: number[] = [];
    for (let pending = this.pending; pending !== undefined; pending = this.pending) {
      this.w[PENDING] = (this.w[PENDING] as number) - 1;
      wake.push(...this.finish(pending, false));
    }
    const gen = this.w[GEN] as number;
    if ((this.w[COUNT] as number) > 0) {
      this.w[COUNT] = 0;
      this.w[GEN] = (gen + 1) | 0;
      wake.push(...this.finish(gen, false));
    }
    return wake;
  }

  /** Generation `gen` (and any before it) is done: its waiters' owners, to wake. */
  private finish(gen: number, ok: boolean): number[] {
    this.w[DONE] = (gen + 1) | 0;
    const bit = 1 << (gen & 31);
    this.w[BITS] = ok ? (this.w[BITS] as number) & ~bit : (this.w[BITS] as number) | bit;
    const wake: number[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      const at = ENTRY_BASE + i * 3;
      if (this.w[at + 2] === 0 || (((this.w[at + 1] as number) - gen) | 0) > 0) continue;
      if (!wake.includes(this.w[at] as number)) wake.push(this.w[at] as number);
      this.clearEntry(at);
    }
    return wake;
  }

  private addEntry(owner: number, gen: number): boolean {
    let free = -1;
    for (let i = 0; i < ENTRIES; i++) {
      const at = ENTRY_BASE + i * 3;
      if (this.w[at + 2] === 0) {
        if (free < 0) free = at;
      } else if (this.w[at] === owner && this.w[at + 1] === gen) {
        this.w[at + 2] = (this.w[at + 2] as number) + 1;
        return true;
      }
    }
    if (free < 0) return false;
    this.w[free] = owner;
    this.w[free + 1] = gen;
    this.w[free + 2] = 1;
    return true;
  }

  private clearEntry(at: number): void {
    this.w[at] = 0;
    this.w[at + 1] = 0;
    this.w[at + 2] = 0;
  }
}
