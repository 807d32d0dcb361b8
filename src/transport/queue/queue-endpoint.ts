import type { SchedulerLike } from 'rxjs';
import type { NOTHING } from '../../core/queue/bounded-fifo.js';
import type { Cancel, Delivery, GetListener, PutListener } from '../../core/listeners.js';

/**
 * One handle's view of a queue, whichever transport carries it. Waiting calls
 * settle through their listener, synchronously when they can, and return a
 * `Cancel` only while they wait.
 */
export interface QueueEndpoint<T> {
  readonly maxsize: number;
  readonly scheduler: SchedulerLike;
  /**
   * Copies `item` (throwing `SerializationError` synchronously, with nothing
   * enqueued, when it cannot be copied) and puts it.
   */
  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined;
  /**
   * The fast path: copies and puts `item` if that needs no waiting; `false`,
   * with nothing done, otherwise. Throws `SerializationError` like `put`.
   */
  tryPut(item: T): boolean;
  /**
   * The fast path: an item on hand right now (its tag is then `lastTag`), or
   * `NOTHING`, with nothing done. No allocation on this path.
   */
  tryGet(returnable?: boolean): T | typeof NOTHING;
  readonly lastTag: number;
  /**
   * `prefetch`: how many items a remote handle may fetch ahead for this
   * consumer. `returnable`: the consumer may still put the item back
   * (`requeue`) or `settle` it (`consume` does); otherwise a plain queue's
   * item is final the moment it is delivered.
   */
  get(listener: GetListener<T>, timeout: number | undefined, prefetch?: number, returnable?: boolean): Cancel | undefined;
  /**
   * A consumer that will keep taking (a stream, an iterator, `consume`)
   * attaches with its window: a remote handle then keeps up to `prefetch`
   * items fetched ahead until every attached consumer has detached (then the
   * items it holds go back). Returns the detach.
   */
  attach(prefetch: number): () => void;
  /**
   * Items this handle got (returnable, or from a JoinableQueue) but did not
   * consume go back to the front, in order. `failed`: the tag of the one
   * whose attempt failed (its attempt count goes up by one).
   */
  requeue(deliveries: readonly Delivery<T>[], failed?: number): void;
  /**
   * Unfinished attempts the delivery `tag` had been through before it was
   * delivered (0 for a fresh item), while it may come back (returnable, or
   * a JoinableQueue's until done).
   */
  attempts(tag: number): number;
  /** A plain queue's returnable delivery is final: it will not come back. */
  settle(tag: number): void;
  /** Items accepted and not yet handed to an application. */
  qsize(): Promise<number>;
  /** Whether a `putNowait` through this handle would find no room now (see README: `full()`). */
  full(): Promise<boolean>;
  /**
   * Ends the stream for every handle; with `error`, consumers error with it
   * once drained (see `endError`). Resolves `true` if this call ended it.
   */
  end(error?: Error): Promise<boolean>;
  /** The error the queue ended on, once this handle knows it has (undefined: not ended, or ended plainly). */
  readonly endError: Error | undefined;
  /**
   * JoinableQueue: marks the delivery `tag` (default: the oldest this handle
   * holds) done. Throws `RangeError` when this handle holds none.
   */
  taskDone(tag?: number): void;
  /** JoinableQueue: calls `release` once no task is open (`fail` if that can no longer be known). */
  join(release: () => void, fail: (error: Error) => void): Cancel;
  /**
   * JoinableQueue: tells `report` how many tasks are open now (synchronously
   * at the owner; `undefined` when the owner cannot be asked).
   */
  unfinished(report: (open: number | undefined) => void): void;
  /** The handle is closed (its waiting calls already withdrawn): resolves once what it put is in the queue. */
  close(): Promise<void>;
}
