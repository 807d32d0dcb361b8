/**
 * The gets of one consumer handle that wait for an entry, oldest first, and
 * their deadlines. Implements the get side of `protocol.ts`'s "cancel": a
 * waiting get (timeout, AbortSignal, unsubscribe, close) is withdrawn at
 * once, its timeout exact on the queue's scheduler; the BLMOVE it may leave
 * with nobody to serve is the caller's (`emptied`).
 */

import type { Subscription } from 'rxjs';
import type { GetListener } from '../core/listeners.js';
import { Empty } from '../errors.js';
import type { RedisContext } from './redis-context.js';

export interface PendingGet<T> {
  readonly listener: GetListener<T>;
  readonly timeout: number | undefined;
  /** Its entry stays in this consumer's processing list until done, settled or given back. */
  readonly keep: boolean;
  done: boolean;
  deadline: Subscription | undefined;
}

export class WaitingGets<T> {
  private readonly gets: PendingGet<T>[] = [];

  /** `emptied`: the last waiting get was withdrawn. */
  constructor(
    private readonly ctx: RedisContext,
    private readonly emptied: () => void,
  ) {}

  get length(): number {
    return this.gets.length;
  }

  /** A get waits now; a timeout it has (not 0: the caller's) withdraws it and fails it `Empty`. */
  add(listener: GetListener<T>, timeout: number | undefined, keep: boolean): PendingGet<T> {
    const g: PendingGet<T> = { listener, timeout, keep, done: false, deadline: undefined };
    this.gets.push(g);
    if (timeout !== undefined && timeout !== Infinity && timeout > 0) {
      g.deadline = this.ctx.scheduler.schedule(() => {
        if (this.withdraw(g)) listener.failed(new Empty(timeout));
      }, timeout);
    }
    return g;
  }

  /** `g` stops waiting (nobody hears of it any more); false if it had already. */
  withdraw(g: PendingGet<T>): boolean {
    if (g.done) return false;
    g.done = true;
    g.deadline?.unsubscribe();
    const i = this.gets.indexOf(g);
    if (i >= 0) this.gets.splice(i, 1);
    this.ctx.busyChanged();
    if (this.gets.length === 0) this.emptied();
    return true;
  }

  /** The oldest waiting get, out of the line (the caller knows there is one). */
  shift(): PendingGet<T> {
    return this.gets.shift() as PendingGet<T>;
  }

  /** The oldest get not withdrawn, out of the line and marked served; or none. */
  next(): PendingGet<T> | undefined {
    const g = this.gets.find((x) => !x.done);
    if (g) {
      this.gets.splice(this.gets.indexOf(g), 1);
      g.done = true;
    }
    return g;
  }

  /** Every waiting get leaves, told by `tell` (it failed, or the queue ended). */
  settleAll(tell: (listener: GetListener<T>) => void): void {
    for (const g of this.gets.splice(0)) {
      if (g.done) continue;
      g.done = true;
      g.deadline?.unsubscribe();
      tell(g.listener);
    }
    this.ctx.busyChanged();
  }

  /** Nothing there: the gets that must not wait (timeout 0) fail `Empty` now. */
  failNonBlocking(): void {
    for (const g of [...this.gets]) {
      if (g.timeout === 0 && this.withdraw(g)) g.listener.failed(new Empty(0));
    }
  }
}
