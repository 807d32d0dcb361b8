import { nativeOrUndefined } from '../../native/native.js';
import { Doorbell } from './doorbell.js';
import { ME } from './thread-bells.js';

/**
 * Waiter slots: the words `[from, to)` of a shared primitive hold the
 * doorbell ids of the threads waiting on it, one slot per thread, so that
 * whoever changes its state can wake them.
 */

export { ME };

/** Writes this thread's bell into a slot; false when every slot is taken by other threads. */
export function enlist(words: Int32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (Atomics.load(words, i) === ME) return true;
  for (let i = from; i < to; i++) if (Atomics.compareExchange(words, i, 0, ME) === 0) return true;
  return false;
}

/** This thread waits there no more. */
export function delist(words: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) Atomics.compareExchange(words, i, ME, 0);
}

/** Rings every bell in the slots; this thread's own waiters are checked at once with `mine`. */
export function ringAll(words: Int32Array, from: number, to: number, mine: () => void): void {
  for (let i = from; i < to; i++) {
    const id = Atomics.load(words, i);
    if (id === 0) continue;
    if (id === ME) mine();
    else if (nativeOrUndefined()) Doorbell.get().ring(id);
  }
}

/** Empties the slots of dead owners (their bells would ring nobody). */
export function dropDead(words: Int32Array, from: number, to: number, dead: (owner: number) => boolean): void {
  for (let i = from; i < to; i++) {
    const id = Atomics.load(words, i);
    if (id !== 0 && dead(id)) Atomics.compareExchange(words, i, id, 0);
  }
}
