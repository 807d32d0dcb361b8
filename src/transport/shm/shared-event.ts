import { nativeOrUndefined } from '../../native/native.js';
import { delist, dropDead, enlist, ringAll } from './bell-slots.js';
import { whileWaiting } from './doorbell.js';
import { type Mortal, watchOwners } from './owners.js';

/**
 * An event flag in 16 words of shared memory:
 *
 *   word 0  the flag (1 set)        word 1  how many times it was set
 *   2..15   doorbell ids of the threads waiting
 *
 * A waiter writes its bell into a slot, then reads the flag; `set()` writes
 * the flag and the count, then rings every slot. A waiter is woken by a set
 * even if a clear follows before its thread looks (the count moved), as
 * Python's waiters are notified. `set()` never waits for anyone, so a dead
 * waiter cannot hold it up.
 */
export const EVENT_BYTES = 64;

const FLAG = 0;
const SETS = 1;
const FIRST_SLOT = 2;
const WORDS = EVENT_BYTES / 4;

export class SharedEvent implements Mortal {
  private readonly words: Int32Array;
  /** This thread's waiters, each with the set count it started at. */
  private readonly waiters = new Set<{ since: number; wake(): void }>();
  private stopListening: (() => void) | undefined;

  constructor(buffer: SharedArrayBuffer, offset: number) {
    this.words = new Int32Array(buffer, offset, WORDS);
    watchOwners(this);
  }

  isSet(): boolean {
    return Atomics.load(this.words, FLAG) === 1;
  }

  set(): void {
    Atomics.add(this.words, SETS, 1);
    Atomics.store(this.words, FLAG, 1);
    ringAll(this.words, FIRST_SLOT, WORDS, () => this.check());
  }

  clear(): void {
    Atomics.store(this.words, FLAG, 0);
  }

  /** Calls `wake` once the flag is set (at once if it is); the returned function withdraws. */
  wait(wake: () => void): () => void {
    const waiter = { since: Atomics.load(this.words, SETS), wake };
    if (this.waiters.size === 0) this.listen();
    this.waiters.add(waiter);
    this.check();
    return () => {
      if (this.waiters.delete(waiter) && this.waiters.size === 0) this.unlisten();
    };
  }

  dropOwners(dead: (owner: number) => boolean): void {
    dropDead(this.words, FIRST_SLOT, WORDS, dead);
  }

  private check(): void {
    const flag = Atomics.load(this.words, FLAG) === 1;
    const sets = Atomics.load(this.words, SETS);
    for (const waiter of [...this.waiters]) {
      if (!flag && waiter.since === sets) continue;
      this.waiters.delete(waiter);
      waiter.wake();
    }
    if (this.waiters.size === 0) this.unlisten();
  }

  private listen(): void {
    const enlisted = nativeOrUndefined() !== undefined && enlist(this.words, FIRST_SLOT, WORDS);
    const stop = whileWaiting(() => this.check(), !enlisted);
    this.stopListening = () => {
      stop();
      if (enlisted) delist(this.words, FIRST_SLOT, WORDS);
    };
  }

  private unlisten(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }
}
