import { from, Observable, type ObservableInput, Subscription } from 'rxjs';
import { JoinableQueue } from '../joinable-queue.js';
import { checkCount, checkOptions, checkTimeout, DEFAULT_PREFETCH } from '../handle/options.js';
import { kAttach, kAttempts, kEndError, kRequeue, kSettle, kTake, kTaskDone, type QueueTake } from '../queue.js';
import type { Cancel, Delivery, GetListener } from '../core/listeners.js';
import { checkPoisonPolicy, consumerLost, type DeadLetter, type PoisonItem, warnPoison } from './poison.js';

/**
 * Anything `consume` can take from: `Queue`, `JoinableQueue`, `SimpleQueue`
 * (a handle owned here or one that came from another process or thread).
 * Its members are the queues' protocol with the rx layer, keyed by symbols
 * that rxmp does not export: a type to accept, not to implement.
 * @example
 * function drain<T>(queue: Consumable<T>): Observable<T> {
 *   return consume(queue, (item) => [item]);
 * }
 */
export interface Consumable<T> {
  /** @hidden Takes one item, returnable until settled (see `QueueTake`). */
  readonly [kTake]: QueueTake<T>;
  /** @hidden Puts items taken but not consumed back at the front; `failed`: the delivery whose attempt failed. */
  [kRequeue](deliveries: readonly Delivery<T>[], failed?: number): void;
  /** @hidden A delivery is final: it will not be put back. */
  [kSettle](tag: number): void;
  /** @hidden Unfinished attempts a delivery had been through before it came. */
  [kAttempts](tag: number): number;
  /** @hidden A consumer that keeps taking, with its prefetch window; returns its detach. */
  [kAttach](prefetch: number): () => void;
  /** @hidden The error the queue ended on (`q.error(e)`), once known. */
  readonly [kEndError]: Error | undefined;
}

/**
 * `consume()`'s options: how many items run at once, how long a free slot
 * waits, how many items are fetched ahead, and what becomes of poison items.
 * Every option is checked: an unknown key or a bad value is a
 * `TypeError`/`RangeError` at the call.
 * @example consume(jobs, run, { concurrency: 4, timeout: 30_000, maxAttempts: 3, deadLetter: failedJobs })
 */
export interface ConsumeOptions<T = unknown> {
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
  /**
   * Poison items: the attempts an item gets before it is set aside. An
   * attempt is a run of `fn` that failed, or a consumer (in any process or
   * thread) that got the item and died before finishing it; the count
   * travels with the item. With `maxAttempts`, a failed run no longer errors
   * the stream: its item goes back to the front with one more attempt and
   * the stream goes on; once an item has had `maxAttempts` it is set aside
   * (`onPoison`, `deadLetter`, or else an `RxmpWarning` `RXMP_POISON_ITEM`),
   * marked done (`taskDone`, so `join()` does not wait for it) and the
   * stream goes on. Without it, a failed run errors the stream (its item goes
   * back to the front). A positive integer.
   * @default undefined (no limit)
   * @example consume(jobs, run, { maxAttempts: 3, deadLetter: failedJobs })
   */
  maxAttempts?: number;
  /**
   * Called with each item set aside (`{ item, attempts, error }`), before it
   * goes to `deadLetter`. A throw errors the stream (the item goes back).
   */
  onPoison?: (poison: PoisonItem<T>) => void;
  /**
   * A queue the items set aside are put into, as `{ item, attempts, error }`
   * (waiting for space); the item counts as done once that put is accepted.
   */
  deadLetter?: DeadLetter<T>;
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
 * Completes when the queue has ended and every run has finished (errors,
 * then, if the queue ended on an error: `q.error(e)`).
 *
 * An item whose run errors, or that had delivered no result yet when the
 * subscriber unsubscribes, goes back to the front of the queue: nothing is
 * lost. A run that errors counts as an attempt on its item; with
 * `maxAttempts` such an item is retried, then set aside as poison, while the
 * stream goes on (see `ConsumeOptions.maxAttempts`). A run that already delivered a result counts as done (for a
 * JoinableQueue, `taskDone` is called), so `firstValueFrom(consume(…))`
 * does not process its item twice.
 *
 * @example
 * consume(jobs, (job) => handle(job), { concurrency: 4 }).subscribe();
 */
export function consume<T, R>(queue: Consumable<T>, fn: (item: T) => ObservableInput<R>, options?: ConsumeOptions<T>): Observable<R> {
  const o = checkOptions<ConsumeOptions<T>>(options, 'consume options', [
    'concurrency',
    'timeout',
    'prefetch',
    'maxAttempts',
    'onPoison',
    'deadLetter',
  ]);
  const concurrency = checkCount(o.concurrency, 'concurrency', 1);
  const timeout = checkTimeout(o.timeout);
  const prefetch = checkCount(o.prefetch, 'prefetch', DEFAULT_PREFETCH);
  const poison = checkPoisonPolicy<T>(o.maxAttempts, o.onPoison, o.deadLetter);
  if (typeof fn !== 'function') throw new TypeError('consume() needs a function to run for each item');
  const joinable = queue instanceof JoinableQueue ? queue : undefined;
  // Every item is taken returnable (it may go back to the front) and settled once its run is over.
  const settle = (tag: number): void => (joinable ? joinable[kTaskDone](tag) : queue[kSettle](tag));

  return new Observable<R>((subscriber) => {
    const detach = queue[kAttach](Math.max(prefetch, concurrency === Infinity ? prefetch : concurrency));
    const running = new Set<Run<T>>();
    let waiting: Cancel | undefined;
    let ended = false;
    /** The error the queue ended on: the stream errors with it once the runs are over. */
    let endError: Error | undefined;
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
      // The failing run's item goes back with one more attempt on its count.
      if (back.length > 0) queue[kRequeue](back, failing?.tag);
    };
    const fail = (error: unknown, failing?: Run<T>): void => {
      stop(failing);
      subscriber.error(error);
    };
    const finishIfDone = (): void => {
      if (ended && running.size === 0 && !stopped) {
        stopped = true;
        detach();
        if (endError) subscriber.error(endError);
        else subscriber.complete();
      }
    };
    /** The run is over and its item finished: settle it, take the next. */
    const finish = (run: Run<T>): void => {
      if (!running.delete(run)) return;
      settle(run.tag);
      pump();
      finishIfDone();
    };
    /** `fn` failed on `run`, which had `before` unfinished attempts. */
    const failed = (run: Run<T>, error: unknown, before: number): void => {
      if (!poison) return fail(error, run);
      if (!running.has(run)) return;
      if (before + 1 >= poison.maxAttempts) return setAside(run, before + 1, error);
      // Retried: back to the front with one more attempt; the stream goes on.
      running.delete(run);
      run.subscription.unsubscribe();
      queue[kRequeue]([run], run.tag);
      pump();
    };
    /** A poison item goes aside; it is done once it is there. */
    const setAside = (run: Run<T>, attempts: number, error: unknown): void => {
      const policy = poison as NonNullable<typeof poison>;
      const record: PoisonItem<T> = { item: run.item, attempts, error };
      try {
        policy.onPoison?.(record);
      } catch (thrown) {
        return fail(thrown, run);
      }
      if (!policy.deadLetter) {
        if (!policy.onPoison) warnPoison(record);
        return finish(run);
      }
      run.subscription.add(
        policy.deadLetter.put$(record).subscribe({
          error: (putError) => fail(putError, run),
          complete: () => finish(run),
        }),
      );
    };
    const start = (item: T, tag: number): void => {
      const run: Run<T> = { item, tag, subscription: new Subscription(), emitted: false };
      running.add(run);
      const before = poison ? queue[kAttempts](tag) : 0;
      // Its earlier consumers died on it (their errors were not seen here): poison without a run.
      if (poison && before >= poison.maxAttempts) return setAside(run, before, consumerLost(before));
      let input: ObservableInput<R>;
      try {
        input = fn(item);
      } catch (error) {
        failed(run, error, before);
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
          error: (error) => failed(run, error, before),
          complete: () => finish(run),
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
        // Drained, on the error the queue ended on: the runs still going finish first.
        if (error === queue[kEndError]) {
          ended = true;
          endError = error;
          return finishIfDone();
        }
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
