import { nativeOrUndefined } from '../../native/native.js';
import { whileWaiting } from './doorbell.js';
import { SharedMutex } from './shared-mutex.js';

interface Waiter {
  /** Its place in the arrival order, across every thread and process. */
  ticket: number;
  /** Called once the waiter holds the lock; it must not throw. */
  granted(): void;
}

interface Entry {
  waiters: Waiter[];
  /** Has this thread a slot in the mutex (else it looks again on a timer)? */
  enlisted: boolean;
}

/**
 * This thread's waiters, per mutex, in arrival order. The mutex's slot for
 * this thread carries the ticket of its first waiter; a ring (or a poll,
 * for a mutex with no free slot, or no addon) makes each first waiter try
 * to take what was handed here.
 */
class Waits {
  private readonly waiting = new Map<SharedMutex, Entry>();
  private stopListening: (() => void) | undefined;
  private stopPolling: (() => void) | undefined;

  /** Queues `granted` on `mutex`; it is called once the lock is this waiter's (perhaps at once). */
  add(mutex: SharedMutex, granted: () => void): Waiter {
    const waiter = { ticket: mutex.ticket(), granted };
    let entry = this.waiting.get(mutex);
    if (!entry) {
      if (this.waiting.size === 0) this.start(); // the bell exists before its id is in a slot
      // Without the addon there are no bells (and no other process): threads look again on a timer.
      entry = { waiters: [waiter], enlisted: nativeOrUndefined() !== undefined && mutex.enlist(waiter.ticket) };
      this.waiting.set(mutex, entry);
      if (!entry.enlisted) this.stopPolling ??= whileWaiting(() => this.check(), true);
    } else entry.waiters.push(waiter);
    if (entry.waiters.length === 1) this.checkOne(mutex, entry);
    return waiter;
  }

  /** Withdraws `waiter` (a timeout or an abort); true if it was still waiting. */
  remove(mutex: SharedMutex, waiter: Waiter): boolean {
    const entry = this.waiting.get(mutex);
    const at = entry ? entry.waiters.indexOf(waiter) : -1;
    if (!entry || at < 0) return false;
    entry.waiters.splice(at, 1);
    const first = entry.waiters[0];
    if (!first) this.drop(mutex, entry);
    else if (at === 0) {
      if (entry.enlisted) mutex.enlist(first.ticket);
      this.checkOne(mutex, entry);
    }
    return true;
  }

  /** Has this thread waiters on `mutex` (a new acquire queues behind them)? */
  has(mutex: SharedMutex): boolean {
    return this.waiting.has(mutex);
  }

  check(): void {
    for (const [mutex, entry] of [...this.waiting]) this.checkOne(mutex, entry);
  }

  private checkOne(mutex: SharedMutex, entry: Entry): void {
    const first = entry.waiters[0];
    if (!first || !mutex.claim()) return;
    entry.waiters.shift();
    const next = entry.waiters[0];
    if (!next) this.drop(mutex, entry);
    else if (entry.enlisted) mutex.enlist(next.ticket);
    first.granted();
  }

  private drop(mutex: SharedMutex, entry: Entry): void {
    this.waiting.delete(mutex);
    if (entry.enlisted) mutex.enlist(undefined);
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
SharedMutex.wakeHere = () => waits.check();
