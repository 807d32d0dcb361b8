import { from, Observable, type ObservableInput, Subscription } from 'rxjs';
import { JoinableQueue } from '../joinable-queue.js';
import { checkCount, checkOptions, checkTimeout, DEFAULT_PREFETCH } from '../handle/options.js';
import { kAttach, kRequeue, kSettle, kTake, kTaskDone, type QueueTake } from '../queue.js';
import type { Cancel, Delivery, GetListener } from '../core/listeners.js';

/** Anything `consume` can take from: `Queue`, `JoinableQueue`, `SimpleQueue`. */
export interface Consumable<T> {
  readonly [kTake]: QueueTake<T>;
  [kRequeue](deliveries: readonly Delivery<T>[]): void;
  [kSettle](tag: number): void;
  [kAttach](prefetch: number): () => void;
}

export interface ConsumeOptions {
  /** Items processed at once; a new item is taken only when one finishes. @default 1 */
  concurrency?: number;
  /** Error with `Empty` when a free slot waits this many ms for an item. @default undefined (wait forever) */
  timeout?: number;
  /**
   * Items a handle on a queue owned by another process keeps fetched ahead
   * (they stay counted toward `maxsize`, and go back to the queue if this
   * stops). `fn` still gets an item only when a slot is free.
   * @default 16
   */
  prefetch?: number;
}

interface Run<T> extends Delivery<T> {
  /** Created before `fn`'s output is subscribed, so a stop during that subscribe still tears it down. */
  readonly subscription: Subscription;
  /** The run delivered at least one result: its item counts as consumed if the subscriber leaves. */
  emitted: boolean;
}

/**
 * Takes an item **only when a slot is free**, runs `fn(item)` and emits its
 * results: backpressure from the consumer all the way to the producers. For
 * a `JoinableQueue` it calls `taskDone()` when `fn`'s output completes.
 * Completes when the queue has ended and every run has finished.
 *
 * An item whose run errors, or that had delivered no result yet when the
 * subscriber unsubscribes, goes back to the front of the queue: nothing is
 * lost. A run that already delivered a result counts as done (for a
 * JoinableQueue, `taskDone` is called), so `firstValueFrom(consume(…))`
 * does not process its item twice.
 *
 * @example
 * consume(jobs, (job) => handle(job), { concurrency: 4 }).subscribe();
 */
export function consume<T, R>(queue: Consumable<T>, fn: (item: T) => ObservableInput<R>, options?: ConsumeOptions): Observable<R> {
  const o = checkOptions<ConsumeOptions>(options, 'consume options', ['concurrency', 'timeout', 'prefetch']);
  const concurrency = checkCount(o.concurrency, 'concurrency', 1);
  const timeout = checkTimeout(o.timeout);
  const prefetch = checkCount(o.prefetch, 'prefetch', DEFAULT_PREFETCH);
  if (typeof fn !== 'function') throw new TypeError('consume() needs a function to run for each item');
  const joinable = queue instanceof JoinableQueue ? queue : undefined;
  // Every item is taken returnable (it may go back to the front) and settled once its run is over.
  const settle = (tag: number): void => (joinable ? joinable[kTaskDone](tag) : queue[kSettle](tag));

  return new Observable<R>((subscriber) => {
    const detach = queue[kAttach](Math.max(prefetch, concurrency === Infinity ? prefetch : concurrency));
    const running = new Set<Run<T>>();
    let waiting: Cancel | undefined;
    let ended = false;
    let stopped = false;
    let pumping = false;

    /** Stops taking; unfinished runs end: `failing` and those that delivered nothing go back. */
    const stop = (failing?: Run<T>): void => {
      if (stopped) return;
      stopped = true;
      detach();
      waiting?.();
      waiting = undefined;
      const unfinished = [...running];
      running.clear();
      for (const run of unfinished) run.subscription.unsubscribe();
      const back = unfinished.filter((run) => run === failing || !run.emitted);
      for (const run of unfinished) if (run !== failing && run.emitted) settle(run.tag);
      if (back.length > 0) queue[kRequeue](back);
    };
    const fail = (error: unknown, failing?: Run<T>): void => {
      stop(failing);
      subscriber.error(error);
    };
    const finishIfDone = (): void => {
      if (ended && running.size === 0 && !stopped) {
        stopped = true;
        detach();
        subscriber.complete();
      }
    };
    const start = (item: T, tag: number): void => {
      const run: Run<T> = { item, tag, subscription: new Subscription(), emitted: false };
      running.add(run);
      let input: ObservableInput<R>;
      try {
        input = fn(item);
      } catch (error) {
        fail(error, run);
        return;
      }
      // Added to a Subscription that may already be closed (a stop during this very
      // subscribe): then it is torn down at once.
      run.subscription.add(
        from(input).subscribe({
          next: (value) => {
            run.emitted = true;
            subscriber.next(value);
          },
          error: (error) => fail(error, run),
          complete: () => {
            if (!running.delete(run)) return;
            settle(run.tag);
            pump();
            finishIfDone();
          },
        }),
      );
    };
    const listener: GetListener<T> = {
      delivered: (item, tag) => {
        waiting = undefined;
        start(item, tag);
        pump();
      },
      failed: (error) => {
        waiting = undefined;
        fail(error);
      },
      ended: () => {
        waiting = undefined;
        ended = true;
        finishIfDone();
      },
    };
    // Synchronous takes and runs re-enter here; the guard turns that recursion into this loop.
    const pump = (): void => {
      if (pumping) return;
      pumping = true;
      while (!stopped && !ended && !waiting && running.size < concurrency) {
        waiting = queue[kTake](listener, timeout, true);
      }
      pumping = false;
    };

    pump();
    return () => stop();
  });
}
