import { nativeOrUndefined } from '../../native/native.js';
import { delist, dropDead, enlist, ME, ringAll } from './bell-slots.js';
import { whileWaiting } from './doorbell.js';
import { type Mortal, watchOwners } from './owners.js';

/**
 * A mutex whose whole state is 16 words of shared memory, so any thread or
 * process that maps them can take it. The uncontended lock and unlock are
 * one atomic operation each: no message, no syscall.
 *
 *   word 0  state: 0 free, else the holder's owner id (its doorbell id,
 *           30 bits), with bit 30 set once someone may be waiting; bit 30
 *           alone means free, but left by a holder that died
 *   word 1  reserved
 *   2..15   doorbell ids of the threads waiting (one slot per thread)
 *
 * A waiting thread writes its bell into a slot, then marks the state
 * contended (taking the lock if it was free meanwhile) and sleeps on its
 * bell. An unlock that finds the mark rings every bell in the slots; each
 * woken thread tries again for its first waiter. Because the slot is
 * written before the state and read after it, with sequentially consistent
 * atomics a waiter is either seen by the unlock or sees the lock free: no
 * wake-up is lost.
 *
 * The holder is in the state word itself, so a holder that dies is known
 * the moment its death is: `dropOwners` frees the lock as "abandoned", and
 * wakes the waiters; whoever takes it next learns it (`abandonedTaken`).
 */
export const MUTEX_BYTES = 64;

const STATE = 0;
const FIRST_SLOT = 2;
const WORDS = MUTEX_BYTES / 4;
const FREE = 0;
const CONTENDED = 2 ** 30;
const OWNER = CONTENDED - 1;
/** Free, left by a dead holder: a taker other than the fast path's CAS from 0 takes it, and is told. */
const ABANDONED_FREE = CONTENDED;

/** Reads of the state while another thread holds the lock, before sleeping (a few µs). */
const SPINS = 2000;

export class SharedMutex implements Mortal {
  /** Was the lock, when this object last took it, left by a holder that died? Read and reset by the taker. */
  abandonedTaken = false;

  constructor(private readonly words: Int32Array) {
    if (words.length !== WORDS) throw new RangeError(`a mutex is ${WORDS} words, got ${words.length}`);
    watchOwners(this);
  }

  tryLock(): boolean {
    return Atomics.compareExchange(this.words, STATE, FREE, ME) === FREE || this.takeAbandoned();
  }

  /** Spins briefly while another thread holds it; true once held. */
  spinLock(): boolean {
    if (this.tryLock()) return true;
    const words = this.words;
    for (let i = 0; i < SPINS; i++) {
      const owner = Atomics.load(words, STATE) & OWNER;
      if (owner === FREE) {
        if (this.tryLock()) return true;
      } else if (owner === ME) return false; // this thread holds it: spinning cannot help
    }
    return false;
  }

  /** Takes the lock for a waiter that sleeps, or marks it contended so that its unlock rings. */
  claim(): boolean {
    const words = this.words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      if ((state & OWNER) === FREE) {
        if (Atomics.compareExchange(words, STATE, state, ME | CONTENDED) === state) {
          if (state === ABANDONED_FREE) this.abandonedTaken = true;
          return true;
        }
      } else if (state & CONTENDED || Atomics.compareExchange(words, STATE, state, state | CONTENDED) === state) return false;
    }
  }

  /** Frees the lock; false if it was not held (nothing changes then). */
  unlock(): boolean {
    const before = Atomics.exchange(this.words, STATE, FREE);
    if ((before & OWNER) === FREE) {
      // Not held: put back an abandoned mark the exchange took (a misuse; the next taker may miss it).
      if (before === ABANDONED_FREE) Atomics.compareExchange(this.words, STATE, FREE, ABANDONED_FREE);
      return false;
    }
    if (before & CONTENDED) this.wakeAll();
    return true;
  }

  locked(): boolean {
    return (Atomics.load(this.words, STATE) & OWNER) !== FREE;
  }

  dropOwners(dead: (owner: number) => boolean): void {
    dropDead(this.words, FIRST_SLOT, WORDS, dead);
    const state = Atomics.load(this.words, STATE);
    const owner = state & OWNER;
    if (owner === FREE || !dead(owner)) return;
    if (Atomics.compareExchange(this.words, STATE, state, ABANDONED_FREE) === state) this.wakeAll();
  }

  private takeAbandoned(): boolean {
    if (Atomics.compareExchange(this.words, STATE, ABANDONED_FREE, ME) !== ABANDONED_FREE) return false;
    this.abandonedTaken = true;
    return true;
  }

  /** Writes this thread's bell into a slot; false when every slot is taken by other threads. */
  enlist(): boolean {
    return enlist(this.words, FIRST_SLOT, WORDS);
  }

  /** This thread waits here no more. */
  delist(): void {
    delist(this.words, FIRST_SLOT, WORDS);
  }

  private wakeAll(): void {
    // This thread's own waiters: at once (their promises settle later anyway).
    ringAll(this.words, FIRST_SLOT, WORDS, () => waits.check());
  }
}

interface Waiter {
  /** Called once the waiter holds the lock; it must not throw. */
  granted(): void;
}

/**
 * This thread's waiters, per mutex, in arrival order. A ring (or a poll,
 * for a mutex with no free slot) makes each mutex's first waiter try again.
 */
class Waits {
  private readonly waiting = new Map<SharedMutex, { waiters: Waiter[]; enlisted: boolean }>();
  private stopListening: (() => void) | undefined;
  private stopPolling: (() => void) | undefined;

  /** Queues `waiter` on `mutex`, or grants it at once if the lock is free by now. */
  add(mutex: SharedMutex, waiter: Waiter): void {
    let entry = this.waiting.get(mutex);
    if (!entry) {
      if (this.waiting.size === 0) this.start(); // the bell exists before its id is in a slot
      // Without the addon there are no bells (and no other process): threads look again on a timer.
      entry = { waiters: [], enlisted: nativeOrUndefined() !== undefined && mutex.enlist() };
      this.waiting.set(mutex, entry);
      if (!entry.enlisted) this.stopPolling ??= whileWaiting(() => this.check(), true);
    }
    entry.waiters.push(waiter);
    if (entry.waiters.length === 1) this.checkOne(mutex, entry);
  }

  /** Withdraws `waiter` (a timeout or an abort); true if it was still waiting. */
  remove(mutex: SharedMutex, waiter: Waiter): boolean {
    const entry = this.waiting.get(mutex);
    const at = entry ? entry.waiters.indexOf(waiter) : -1;
    if (!entry || at < 0) return false;
    entry.waiters.splice(at, 1);
    if (entry.waiters.length === 0) this.drop(mutex, entry);
    return true;
  }

  /** Has this thread waiters on `mutex` (a new acquire queues behind them)? */
  has(mutex: SharedMutex): boolean {
    return this.waiting.has(mutex);
  }

  check(): void {
    for (const [mutex, entry] of [...this.waiting]) this.checkOne(mutex, entry);
  }

  private checkOne(mutex: SharedMutex, entry: { waiters: Waiter[]; enlisted: boolean }): void {
    const first = entry.waiters[0];
    if (!first || !mutex.claim()) return;
    entry.waiters.shift();
    if (entry.waiters.length === 0) this.drop(mutex, entry);
    first.granted();
  }

  private drop(mutex: SharedMutex, entry: { enlisted: boolean }): void {
    this.waiting.delete(mutex);
    if (entry.enlisted) mutex.delist();
    if (![...this.waiting.values()].some((e) => !e.enlisted)) {
      this.stopPolling?.();
      this.stopPolling = undefined;
    }
    if (this.waiting.size === 0) this.stop();
  }

  private start(): void {
    if (nativeOrUndefined()) this.stopListening = whileWaiting(() => this.check(), false);
  }

  private stop(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }
}

/** This thread's waiters on every shared mutex. */
export const waits = new Waits();
