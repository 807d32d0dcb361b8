import { Doorbell } from './doorbell.js';
import { ME } from './bell-slots.js';
import { nativeOrUndefined } from '../../native/native.js';
import { type Mortal, watchOwners } from './owners.js';

/**
 * A fair mutex whose whole state is 32 words of shared memory, so any
 * thread or process that maps them can take it. Taking a free lock and
 * freeing an uncontended one are one atomic operation each: no message, no
 * syscall. Under contention the lock is handed over, in arrival order,
 * without ever being free in between, so nobody can barge past a waiter.
 *
 *   word 0  state: 0 free; else the holder's owner id (its doorbell id,
 *           30 bits) | CONTENDED (bit 30: someone may wait) | HANDED
 *           (bit 31: handed to that owner's thread, not yet taken).
 *           CONTENDED alone: free, left by a holder that died.
 *   word 1  1 while a handed lock comes from a holder that died
 *   word 2  the next ticket (arrival order)
 *   4..31   14 waiter slots of { owner, ticket }: a waiting thread and
 *           the ticket of its first waiter
 *
 * The conversation:
 * - A waiter takes a ticket, writes { its owner id, ticket } into a slot,
 *   then marks the state CONTENDED (or takes the lock if it is free) and
 *   sleeps on its doorbell.
 * - An unlock that finds CONTENDED picks the slot with the oldest ticket,
 *   writes that owner into the state with HANDED, and rings its bell; with
 *   no slot left it frees the lock, then rings whoever enlisted meanwhile.
 * - The woken thread takes a lock HANDED to it (clearing HANDED) for its
 *   first waiter, whose slot then shows its next waiter's ticket or empties.
 * - A thread whose last waiter gives up (timeout, abort) empties its slot,
 *   then looks at the state: a lock handed to it meanwhile is passed on.
 *   The unlock, after handing, looks at the slot: if its thread left, it
 *   takes the lock back and passes it on. (Each writes before it reads, so
 *   with sequentially consistent atomics one of the two sees the other.)
 *
 * Invariants: the lock is never free while a slot holds a live waiter
 * (except between a free and the rings that follow it); a handed lock is
 * taken by its thread or passed on, never lost; a holder or handee that
 * dies is known the moment its death is (`dropOwners`): the lock is passed
 * on, and if the dead one held it, its next taker is told (EOWNERDEAD).
 */
export const MUTEX_BYTES = 128;

const STATE = 0;
const ABANDONED = 1;
const TICKETS = 2;
const FIRST_SLOT = 4;
const WORDS = MUTEX_BYTES / 4;
const FREE = 0;
const CONTENDED = 2 ** 30;
const HANDED = 1 << 31;
const OWNER = CONTENDED - 1;
const ABANDONED_FREE = CONTENDED;

/** Reads of the state while another thread holds the lock, before sleeping (a few µs). */
const SPINS = 2000;

export class SharedMutex implements Mortal {
  /** Was the lock, when this object last took it, left by a holder that died? Read and reset by the taker. */
  abandonedTaken = false;
  /** Makes this thread's waiters look again (set by their queue): an unlock here handed the lock to this thread. */
  static wakeHere: () => void = () => {};

  constructor(private readonly words: Int32Array) {
    if (words.length !== WORDS) throw new RangeError(`a mutex is ${WORDS} words, got ${words.length}`);
    watchOwners(this);
  }

  tryLock(): boolean {
    return Atomics.compareExchange(this.words, STATE, FREE, ME) === FREE || this.takeAbandoned();
  }

  /** Spins briefly while another thread holds it and nobody waits; true once held. */
  spinLock(): boolean {
    if (this.tryLock()) return true;
    const words = this.words;
    for (let i = 0; i < SPINS; i++) {
      const state = Atomics.load(words, STATE);
      if (state & CONTENDED) return false; // others wait: queue behind them
      const owner = state & OWNER;
      if (owner === FREE) {
        if (this.tryLock()) return true;
      } else if (owner === ME) return false; // this thread holds it: spinning cannot help
    }
    return false;
  }

  /** A ticket: this thread's place in the arrival order. */
  ticket(): number {
    return Atomics.add(this.words, TICKETS, 1);
  }

  /**
   * For a waiter of this thread: takes the lock if it is free or handed
   * here, else makes sure the holder's unlock will hand it on.
   */
  claim(): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      const owner = state & OWNER;
      if (owner === FREE) {
        if (Atomics.compareExchange(words, STATE, state, ME | CONTENDED) === state) {
          if (state === ABANDONED_FREE) this.abandonedTaken = true;
          return true;
        }
      } else if (state & HANDED) {
        if (owner !== ME) return false;
        if (Atomics.compareExchange(words, STATE, state, ME | CONTENDED) === state) {
          if (Atomics.exchange(words, ABANDONED, 0) === 1) this.abandonedTaken = true;
          return true;
        }
      } else if (state & CONTENDED || Atomics.compareExchange(words, STATE, state, state | CONTENDED) === state) return false;
    }
  }

  /** Frees the lock, or hands it to the oldest waiter; false if it was not held (nothing changes then). */
  unlock(): boolean {
    const state = Atomics.load(this.words, STATE);
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
    for (let i = FIRST_SLOT; i < WORDS && slot < 0; i += 2) if (Atomics.load(words, i) === ME) slot = i;
    if (ticket === undefined) {
      if (slot >= 0) Atomics.store(words, slot, 0);
      // Left: a lock handed here meanwhile would reach nobody.
      const state = Atomics.load(words, STATE);
      if (state & HANDED && (state & OWNER) === ME) this.passOn(false);
      return true;
    }
    if (slot >= 0) {
      Atomics.store(words, slot + 1, ticket);
      return true;
    }
    // A new slot (an unlock that reads it before its ticket is written sees an old ticket: order, not safety).
    for (let i = FIRST_SLOT; i < WORDS; i += 2) {
      if (Atomics.compareExchange(words, i, 0, ME) !== 0) continue;
      Atomics.store(words, i + 1, ticket);
      return true;
    }
    return false;
  }

  dropOwners(dead: (owner: number) => boolean): void {
    const words = this.words;
    for (let i = FIRST_SLOT; i < WORDS; i += 2) {
      const id = Atomics.load(words, i);
      if (id !== 0 && dead(id)) Atomics.compareExchange(words, i, id, 0);
    }
    for (;;) {
      const state = Atomics.load(words, STATE);
      const owner = state & OWNER;
      if (owner === FREE || !dead(owner)) return;
      // A holder that died leaves what the lock protects half-done; a thread it was handed to did nothing yet.
      if (state & HANDED) {
        if (Atomics.compareExchange(words, STATE, state, ME | CONTENDED) === state)
          return void this.passOn(Atomics.load(words, ABANDONED) === 1);
      } else if (Atomics.compareExchange(words, STATE, state, ME | CONTENDED) === state) return void this.passOn(true);
    }
  }

  /**
   * The state names this thread (its holder, for this call): hands the
   * lock to the oldest waiter, or frees it (as `abandoned`, to be told).
   */
  private passOn(abandoned: boolean): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      if ((state & OWNER) === FREE) return false;
      const next = this.oldestWaiter();
      if (next === 0) {
        Atomics.store(words, ABANDONED, 0);
        if (Atomics.compareExchange(words, STATE, state, abandoned ? ABANDONED_FREE : FREE) !== state) continue;
        this.ringEnlisted();
        return true;
      }
      Atomics.store(words, ABANDONED, abandoned ? 1 : 0);
      const handed = next | CONTENDED | HANDED;
      if (Atomics.compareExchange(words, STATE, state, handed) !== state) continue;
      if (this.enlisted(next)) {
        this.ring(next);
        return true;
      }
      // Its thread left before it could see the lock: take it back, unless it was taken meanwhile.
      if (Atomics.compareExchange(words, STATE, handed, ME | CONTENDED) !== handed) return true;
    }
  }

  /** The owner of the slot with the oldest ticket (0 for none). */
  private oldestWaiter(): number {
    const words = this.words;
    let best = 0;
    let bestTicket = 0;
    for (let i = FIRST_SLOT; i < WORDS; i += 2) {
      const id = Atomics.load(words, i);
      if (id === 0) continue;
      const ticket = Atomics.load(words, i + 1);
      if (best === 0 || ((ticket - bestTicket) | 0) < 0) {
        best = id;
        bestTicket = ticket;
      }
    }
    return best;
  }

  private enlisted(owner: number): boolean {
    for (let i = FIRST_SLOT; i < WORDS; i += 2) if (Atomics.load(this.words, i) === owner) return true;
    return false;
  }

  private ringEnlisted(): void {
    for (let i = FIRST_SLOT; i < WORDS; i += 2) {
      const id = Atomics.load(this.words, i);
      if (id !== 0) this.ring(id);
    }
  }

  private ring(owner: number): void {
    if (owner === ME) SharedMutex.wakeHere();
    else if (nativeOrUndefined()) Doorbell.get().ring(owner);
  }

  private takeAbandoned(): boolean {
    if (Atomics.compareExchange(this.words, STATE, ABANDONED_FREE, ME) !== ABANDONED_FREE) return false;
    this.abandonedTaken = true;
    return true;
  }
}
