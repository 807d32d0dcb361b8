import { Deque } from '../core/collections/deque.js';
import type { Cancel, PutListener } from '../core/listeners.js';
import { ClosedError } from '../errors.js';

/** What the Observer face of a queue needs from its handle. */
export interface ObserverPort<T> {
  /** Starts a put that waits for space as long as it takes; settles through `listener` (synchronously when it can). */
  put(item: T, listener: PutListener): Cancel | undefined;
  /** Ends the queue for everyone, on `error` if given; resolves `true` if this call ended it (it had not ended yet). */
  end(error: Error | undefined): Promise<boolean>;
}

/** The warning code of a failure in the Observer face that no consumer can be told of. */
export const OBSERVER_FAILED = 'RXMP_QUEUE_OBSERVER_FAILED';

/**
 * A queue as an RxJS Observer: `next` puts, in order, one put at a time, so
 * the queue never holds more than `maxsize` — values a synchronous source
 * pushes faster than space frees wait here, in this handle's memory (a
 * source cannot be paused from an Observer; `enqueue` is the operator that
 * holds the source back instead). `complete`/`error` end the queue once
 * every value before them is in; `error` makes consumers error with it
 * after they drain.
 *
 * A put that fails (a value that cannot be copied, the queue already ended,
 * this handle closed, the owner gone) stops this Observer: the failing value
 * and every value after it are not put (what was put stays), and the queue
 * ends on that error, so consumers drain and then error with it. When the
 * queue cannot carry it (it had already ended, or cannot be reached), an
 * `RxmpWarning` (code `RXMP_QUEUE_OBSERVER_FAILED`) says so instead. Never a
 * throw into the source, never an unhandled rejection.
 */
export class QueueObserver<T> {
  /** Values given to `next` that are not in the queue yet, oldest first. */
  private readonly waiting = new Deque<T>();
  /** A put is under way (waiting for space, or being accepted now). */
  private putting = false;
  /** Inside `pump`: an accept arriving now continues the loop instead of recursing. */
  private pumping = false;
  private acceptedNow = false;
  /** `complete` or `error` came: `next` is ignored from now on (the Observer contract). */
  private stopped = false;
  /** The error `error` ended with (undefined for `complete`). */
  private reason: Error | undefined;
  private failed = false;
  private ended = false;

  constructor(private readonly port: ObserverPort<T>) {}

  /** Whether values given to `next` still wait for space here. */
  get pending(): number {
    return this.waiting.length + (this.putting ? 1 : 0);
  }

  next(value: T): void {
    if (this.stopped) return;
    this.waiting.push(value);
    if (!this.putting) this.pump();
  }

  complete(): void {
    this.stop(undefined);
  }

  error(error: unknown): void {
    this.stop(error instanceof Error ? error : new Error(String(error), { cause: error }));
  }

  private stop(reason: Error | undefined): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    if (!this.putting) this.pump();
  }

  /** One listener for every put: only one is under way at a time. */
  private readonly listener: PutListener = {
    accepted: () => {
      this.putting = false;
      if (this.pumping) this.acceptedNow = true;
      else this.pump();
    },
    failed: (error) => this.fail(error),
  };

  private pump(): void {
    this.pumping = true;
    while (!this.failed && this.waiting.length > 0) {
      this.acceptedNow = false;
      this.putting = true;
      this.port.put(this.waiting.shift() as T, this.listener);
      if (!this.acceptedNow) break; // waits for space (or failed): `accepted` resumes
    }
    this.pumping = false;
    if (this.stopped && !this.putting && !this.failed && this.waiting.length === 0) this.finish(this.reason);
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.stopped = true;
    this.putting = false;
    this.waiting.drain();
    // A ClosedError means the queue (or this handle) can take nothing more, its end included.
    if (error instanceof ClosedError) warn(error);
    else this.finish(error);
  }

  private finish(reason: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.port.end(reason).then(
      (endedNow) => {
        // Ended by someone else first: its consumers will never see this error.
        if (!endedNow && reason) warn(reason);
      },
      (error: Error) => warn(reason ?? error),
    );
  }
}

function warn(error: Error): void {
  process.emitWarning(`a queue used as an Observer failed, and no consumer could be told: ${error.name}: ${error.message}`, {
    type: 'RxmpWarning',
    code: OBSERVER_FAILED,
  });
}
