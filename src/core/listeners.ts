/**
 * How a waiting call settles: every primitive's state machine, endpoint and
 * public handle speaks in these. A call that can settle at once calls its
 * listener before returning; one that waits returns a `Cancel`.
 */

/** Withdraws a waiting call; `true` if it was still waiting (and now never settles). */
export type Cancel = () => boolean;

export interface PutListener {
  accepted(): void;
  failed(error: Error): void;
}

export interface GetListener<T> {
  /** `tag` names this delivery, for `taskDone(tag)` and `requeue`. */
  delivered(item: T, tag: number): void;
  failed(error: Error): void;
  /** The queue has ended and is drained. */
  ended(): void;
}

/** An item an application got, named by its delivery tag. */
export interface Delivery<T> {
  readonly item: T;
  readonly tag: number;
}
