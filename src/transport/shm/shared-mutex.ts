import { nativeOrUndefined } from '../../native/native.js';
import { ME } from './bell-slots.js';
import { Doorbell } from './doorbell.js';
import { type Mortal, watchOwners } from './owners.js';

/**
 * A fair mutex whose whole state is 64 words of shared memory, so any
 * thread or process that maps them can take it. Taking a free lock and
 * freeing an uncontended one are one atomic operation each: no message, no
 * syscall.
 *
 *   word 0  state: 0 free, nobody waiting; else the holder's owner id (its
 *           doorbell id, 30 bits) | CONTENDED (bit 30: someone may wait)
 *           | HANDED (bit 31: handed to that owner's thread, not yet
 *           taken). CONTENDED alone: free, but someone may wait.
 *   word 1  1 while the next taker is to be told the last holder died
 *   word 2  the next ticket (arrival order)
 *   word 3  the waiter last rung and not yet up (0 none)
 *   4..63   20 waiter slots of { owner, ticket, since }: a waiting thread,
 *           the ticket of its first waiter, and since when (ms, 31 bits)
 *
 * The lock goes to waiters in arrival order: only the oldest is rung or
 * handed the lock. What it may lose to is whoever finds the lock free at
 * that moment: a newcomer, or a waiter looking again for another reason
 * (as in Go's sync.Mutex). That keeps a contended lock fast — its holder
 * may take it again while the woken waiter is still waking (a wake-up
 * across processes costs tens of µs) — and a waiter that has waited over
 * STARVING_MS is handed the lock directly, so nobody waits long.
 *
 * The conversation:
 * - A waiter takes a ticket, writes { owner id, ticket, now } into a
 *   slot, then marks the state CONTENDED (or takes the lock if it is free)
 *   and sleeps on its doorbell.
 * - An unlock that finds CONTENDED looks for the slot with the oldest
 *   ticket. None: it frees the lock, then rings whoever enlisted meanwhile.
 *   Waiting less than STARVING_MS: it frees the lock (CONTENDED alone) and
 *   rings that waiter, unless one rung earlier is not up yet. Waiting
 *   longer: it writes that owner into the state with HANDED, and rings it.
 * - A woken thread takes a lock that is free or HANDED to it for its first
 *   waiter, whose slot then shows its next waiter or empties; finding it
 *   taken, it marks it CONTENDED and sleeps again.
 * - A thread whose last waiter gives up empties its slot, then looks at the
 *   state: a lock handed to it meanwhile is passed on. An unlock, after
 *   handing, looks at the slot: if its thread left, it takes the lock back
 *   and passes it on. (Each writes before it reads, so with sequentially
 *   consistent atomics one of the two sees the other.)
 *
 * Invariants: a slot's waiter is rung whenever the lock is freed or
 * handed while it is the oldest (no lost wake-up); a handed lock is taken
 * by its thread or passed on, never lost; a holder or handee that dies is
 * known the moment its death is (`dropOwners`): the lock is passed on, and
 * if the dead one held it, its next taker is told (EOWNERDEAD).
 */
export const MUTEX_BYTES = 256;

const STATE = 0;
const ABANDONED = 1;
const TICKETS = 2;
const RUNG = 3;
const FIRST_SLOT = 4;
const SLOT = 3;
const WORDS = MUTEX_BYTES / 4;
const FREE = 0;
const CONTENDED = 2 ** 30;
const HANDED = 1 << 31;
const OWNER = CONTENDED - 1;

/** A waiter waiting longer than this is handed the lock rather than left to compete for it. */
const STARVING_MS = 1;
/** Reads of the state while another thread holds the lock, before sleeping (a few µs). */
const SPINS = 2000;

const now = (): number => Date.now() % 2 ** 31;

/** Milliseconds from `since` to `now` on the 31-bit clock, across its wrap. */
function waited(now: number, since: number): number {
  return ((now - since) << 1) >> 1;
}

function ringBell(owner: number): void {
  if (owner === ME) SharedMutex.wakeHere();
  else if (nativeOrUndefined()) Doorbell.get().ring(owner);
}

export class SharedMutex implements Mortal {
  /** Was the lock, when this object last took it, left by a holder that died? Read and reset by the taker. */
  abandonedTaken = false;
  /** Makes this thread's waiters look again (set by their queue): an unlock here rang this thread. */
  static wakeHere: () => void = () => {};

  private readonly me: number;
  private readonly ring: (owner: number) => void;
  private readonly now: () => number;

  /** `world` replaces, for a model test, who this thread is, how a bell rings, and the clock. */
  constructor(
    private readonly words: Int32Array,
    world?: { me: number; ring(owner: number): void; now(): number },
  ) {
    if (words.length !== WORDS) throw new RangeError(`a mutex is ${WORDS} words, got ${words.length}`);
    this.me = world?.me ?? ME;
    this.ring = world ? (owner) => world.ring(owner) : ringBell;
    this.now = world ? () => world.now() % 2 ** 31 : now;
    if (!world) watchOwners(this);
  }

  tryLock(): boolean {
    return Atomics.compareExchange(this.words, STATE, FREE, this.me) === FREE || this.takeFree();
  }

  /** Spins briefly while another thread holds it; true once held. */
  spinLock(): boolean {
    if (this.tryLock()) return true;
    const words = this.words;
    for (let i = 0; i < SPINS; i++) {
      const state = Atomics.load(words, STATE);
      if (state & HANDED) return false; // its next holder is waking up: that takes longer than a spin
      const owner = state & OWNER;
      if (owner === FREE) {
        if (this.tryLock()) return true;
      } else if (owner === this.me) return false; // this thread holds it: spinning cannot help
    }
    return false;
  }

  /** A ticket: this thread's place in the arrival order. */
  ticket(): number {
    return Atomics.add(this.words, TICKETS, 1);
  }

  /**
   * For a waiter of this thread: takes the lock if it is free or handed
   * here, else makes sure the holder's unlock will see a waiter.
   */
  claim(): boolean {
    const words = this.words;
    Atomics.compareExchange(words, RUNG, this.me, 0); // up: the next unlock may ring again
    for (;;) {
      const state = Atomics.load(words, STATE);
      const owner = state & OWNER;
      if (owner === FREE) {
        if (Atomics.compareExchange(words, STATE, state, this.me | CONTENDED) === state) return this.taken();
      } else if (state & HANDED) {
        if (owner !== this.me) return false;
        if (Atomics.compareExchange(words, STATE, state, this.me | CONTENDED) === state) return this.taken();
      } else if (state & CONTENDED || Atomics.compareExchange(words, STATE, state, state | CONTENDED) === state) return false;
    }
  }

  /** Frees the lock, or lets the oldest waiter have it; false if it was not held (nothing changes then). */
  unlock(): boolean {
    // The common case in one atomic operation: held by this thread, nobody waiting.
    const state = Atomics.compareExchange(this.words, STATE, this.me, FREE);
    if (state === this.me) return true;
    if ((state & OWNER) === FREE) return false;
    if (!(state & CONTENDED) && Atomics.compareExchange(this.words, STATE, state, FREE) === state) return true;
    return this.passOn(false);
  }

  locked(): boolean {
    return (Atomics.load(this.words, STATE) & OWNER) !== FREE;
  }

  /** This thread's slot now stands for its waiter with `ticket`, or (undefined) for none; false if no slot was free. */
  enlist(ticket: number | undefined): boolean {
    const words = this.words;
    let slot = -1;
    for (let i = FIRST_SLOT; i < WORDS && slot < 0; i += SLOT) if (Atomics.load(words, i) === this.me) slot = i;
    if (ticket === undefined) {
      if (slot >= 0) Atomics.store(words, slot, 0);
      const wasRung = Atomics.compareExchange(words, RUNG, this.me, 0) === this.me;
      // Left: a lock handed here meanwhile would reach nobody, and a ring meant for this thread must go on.
      const state = Atomics.load(words, STATE);
      if (state & HANDED && (state & OWNER) === this.me) this.passOn(Atomics.load(words, ABANDONED) === 1);
      else if (wasRung && (state & OWNER) === FREE) this.ringOldest();
      return true;
    }
    if (slot >= 0) {
      Atomics.store(words, slot + 1, ticket);
      Atomics.store(words, slot + 2, this.now());
      return true;
    }
    // A new slot (an unlock that reads it before its ticket is written sees an old ticket: order, not safety).
    for (let i = FIRST_SLOT; i + SLOT <= WORDS; i += SLOT) {
      if (Atomics.compareExchange(words, i, 0, this.me) !== 0) continue;
      Atomics.store(words, i + 1, ticket);
      Atomics.store(words, i + 2, this.now());
      return true;
    }
    return false;
  }

  dropOwners(dead: (owner: number) => boolean): void {
    const words = this.words;
    for (let i = FIRST_SLOT; i + SLOT <= WORDS; i += SLOT) {
      const id = Atomics.load(words, i);
      if (id !== 0 && dead(id)) Atomics.compareExchange(words, i, id, 0);
    }
    const rung = Atomics.load(words, RUNG);
    if (rung !== 0 && dead(rung)) Atomics.compareExchange(words, RUNG, rung, 0);
    for (;;) {
      const state = Atomics.load(words, STATE);
      const owner = state & OWNER;
      if (owner === FREE) {
        // Free, with a waiter rung that died before it was up: ring the next one.
        if (state & CONTENDED && rung !== 0 && dead(rung)) this.ringOldest();
        return;
      }
      if (!dead(owner)) return;
      // A holder that died leaves what the lock protects half-done; a thread it was handed to did nothing yet.
      const abandoned = !(state & HANDED) || Atomics.load(words, ABANDONED) === 1;
      if (Atomics.compareExchange(words, STATE, state, this.me | CONTENDED) === state) return void this.passOn(abandoned);
    }
  }

  /**
   * The state names this thread (its holder, for this call): lets the
   * oldest waiter have the lock, or frees it (as `abandoned`, to be told).
   */
  private passOn(abandoned: boolean): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      if ((state & OWNER) === FREE) return false;
      const [next, since] = this.oldestWaiter();
      Atomics.store(words, ABANDONED, abandoned ? 1 : 0);
      if (next === 0) {
        if (Atomics.compareExchange(words, STATE, state, abandoned ? CONTENDED : FREE) !== state) continue;
        this.ringEnlisted();
        return true;
      }
      if (waited(this.now(), since) <= STARVING_MS) {
        // Free for whoever comes first, the oldest waiter woken to compete (once: until it is up).
        if (Atomics.compareExchange(words, STATE, state, CONTENDED) !== state) continue;
        if (Atomics.compareExchange(words, RUNG, 0, next) === 0) this.ring(next);
        return true;
      }
      const handed = next | CONTENDED | HANDED;
      if (Atomics.compareExchange(words, STATE, state, handed) !== state) continue;
      if (this.enlisted(next)) {
        this.ring(next);
        return true;
      }
      // Its thread left before it could see the lock: take it back, unless it was taken meanwhile.
      if (Atomics.compareExchange(words, STATE, handed, this.me | CONTENDED) !== handed) return true;
    }
  }

  /** Just took the lock from a free or handed state: is the taker to be told its last holder died? */
  private taken(): true {
    if (Atomics.exchange(this.words, ABANDONED, 0) === 1) this.abandonedTaken = true;
    return true;
  }

  /** The owner of the slot with the oldest ticket (0 for none), and since when it waits. */
  private oldestWaiter(): [owner: number, since: number] {
    const words = this.words;
    let best = 0;
    let bestTicket = 0;
    let since = 0;
    for (let i = FIRST_SLOT; i + SLOT <= WORDS; i += SLOT) {
      const id = Atomics.load(words, i);
      if (id === 0) continue;
      const ticket = Atomics.load(words, i + 1);
      if (best === 0 || ((ticket - bestTicket) | 0) < 0) {
        best = id;
        bestTicket = ticket;
        since = Atomics.load(words, i + 2);
      }
    }
    return [best, since];
  }

  private enlisted(owner: number): boolean {
    for (let i = FIRST_SLOT; i + SLOT <= WORDS; i += SLOT) if (Atomics.load(this.words, i) === owner) return true;
    return false;
  }

  private ringOldest(): void {
    const [next] = this.oldestWaiter();
    if (next !== 0 && Atomics.compareExchange(this.words, RUNG, 0, next) === 0) this.ring(next);
  }

  private ringEnlisted(): void {
    for (let i = FIRST_SLOT; i + SLOT <= WORDS; i += SLOT) {
      const id = Atomics.load(this.words, i);
      if (id !== 0) this.ring(id);
    }
  }

  /** The slow path of `tryLock`: free with someone perhaps waiting (or left by a holder that died). */
  private takeFree(): boolean {
    if (Atomics.compareExchange(this.words, STATE, CONTENDED, this.me | CONTENDED) !== CONTENDED) return false;
    return this.taken();
  }
}
