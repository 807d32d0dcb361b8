import type { SchedulerLike } from 'rxjs';

/** Withdraws a waiting call; `true` if it was still waiting (and now never settles). */
export type Cancel = () => boolean;

export interface PutListener {
  accepted(): void;
  failed(error: Error): void;
}

export interface GetListener<T> {
  delivered(item: T): void;
  failed(error: Error): void;
  /** The queue has ended and is drained. */
  ended(): void;
}

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
  get(listener: GetListener<T>, timeout: number | undefined): Cancel | undefined;
  /** Items this handle took but did not consume go back to the front, in order. */
  requeue(items: readonly T[]): void;
  qsize(): Promise<number>;
  /** Ends the stream for every handle. */
  end(): Promise<void>;
  /** JoinableQueue: closes `count` tasks. */
  taskDone(count: number): void;
  /** JoinableQueue: calls `release` once no task is open. */
  join(release: () => void): Cancel;
  /** Resolves once every put this handle saw accepted has reached the queue. */
  flush(): Promise<void>;
}
