/** The callers a bounded FIFO keeps waiting (see `bounded-fifo.ts`). */

/** A caller waiting to put `item`. Exactly one of its callbacks is called, once. */
export interface PutWaiter<T> {
  readonly item: T;
  accepted(): void;
  failed(error: Error): void;
}

/**
 * A remote producer asking for `remaining` more slots (credits). It waits in
 * line with local putters; at its turn it is granted slots as they free up,
 * possibly in several grants, until `remaining` reaches 0 (then it leaves the
 * line). Its owner may raise `remaining` while it waits.
 */
export interface CreditWaiter {
  remaining: number;
  granted(slots: number): void;
}

/** A caller waiting for an item. Exactly one of its callbacks is called, once. */
export interface GetWaiter<T> {
  /**
   * A remote consumer's fetch: the item it receives stays counted toward
   * `maxsize` (leased) until it is acknowledged or given back.
   */
  readonly leases?: boolean;
  delivered(item: T): void;
  failed(error: Error): void;
  /** The queue has ended and is drained: there will never be another item. */
  ended(): void;
}

export type Putter<T> = PutWaiter<T> | CreditWaiter;

/** What `takeNow` returns when there is nothing to take at once. */
export const NOTHING: unique symbol = Symbol('nothing');

export interface BoundedFifoHooks<T> {
  /**
   * Called the moment an item is accepted, before anyone can receive it
   * (JoinableQueue opens its task here, so a fast consumer's `taskDone`
   * never runs ahead of the put).
   */
  admitted?(item: T): void;
}
