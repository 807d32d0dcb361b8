import { inspect } from 'node:util';
import { Observable } from 'rxjs';
import { TaskFeed, type TaskInput } from './task-feed.js';

/** Where a call's task outcomes go, by the task's index in the call's input. */
export interface CallWaiter {
  value(index: number, value: unknown): void;
  error(index: number, error: unknown): void;
}

/** A call that still has inputs to submit. */
export interface Feeder {
  readonly feed: TaskFeed<unknown>;
  /** Most inputs one chunk (one queue item) carries. */
  readonly chunksize: number;
  /** The next inputs, as one chunk (a free slot for each). */
  offer(items: unknown[]): void;
  ended(): void;
  failed(error: unknown): void;
}

/** What a call's stream needs of its pool. */
export interface StreamHost {
  /** Why a new call cannot start now, if it cannot. */
  refusal(): Error | undefined;
  /**
   * Submits one chunk (slots are free for each task): the tasks of the
   * call's inputs `base`, `base + 1`, …, by their argument lists (`args`)
   * or, for calls of one argument, their arguments (`items`).
   */
  submit(base: number, waiter: CallWaiter, args: unknown[][] | undefined, items: unknown[] | undefined): void;
  /** Its caller left: the outcomes of its tasks in flight are dropped when they come. */
  drop(waiter: CallWaiter): void;
  feed(feeder: Feeder): void;
  unfeed(feeder: Feeder): void;
  /** Inputs may be ready: submit what free slots allow. */
  pump(): void;
}

/** How a call turns an input into a task (`spread`: the input is the argument list, as `starmap`). */
export interface CallShape {
  spread: boolean;
  ordered: boolean;
  chunksize: number;
  signal: AbortSignal | undefined;
}

type Outcome = { value: unknown } | { error: unknown };

/**
 * One pool call over many inputs, as an Observable: inputs are submitted
 * in chunks as the pool frees slots; results are emitted in input order
 * (`ordered`) or as they come. A failed task errors the stream at its
 * place. On unsubscribe (or `signal`'s abort, which errors it with
 * `signal.reason`) the call stops feeding (its input is let go) and the
 * results of its tasks still in flight are dropped.
 */
export function poolStream<R>(host: StreamHost, input: TaskInput<unknown>, shape: CallShape): Observable<R> {
  const { spread, ordered, chunksize, signal } = shape;
  return new Observable<R>((subscriber) => {
    const refused = host.refusal();
    if (refused) return subscriber.error(refused);
    if (signal?.aborted) return subscriber.error(signal.reason);
    let submitted = 0;
    let outstanding = 0; // submitted, outcome not yet here
    let next = 0; // the next index to emit, in order
    let fed = false;
    const early = new Map<number, Outcome>();
    const completeIfDone = (): void => {
      if (fed && outstanding === 0 && early.size === 0) subscriber.complete();
    };
    const emitInOrder = (): void => {
      for (let first = early.get(next); first !== undefined; first = early.get(next)) {
        early.delete(next++);
        if ('error' in first) return subscriber.error(first.error);
        subscriber.next(first.value as R);
      }
      completeIfDone();
    };
    const waiter: CallWaiter = {
      value: (index, value) => {
        outstanding--;
        if (!ordered || index === next) {
          if (ordered) next++;
          subscriber.next(value as R);
          return ordered && early.size > 0 ? emitInOrder() : completeIfDone();
        }
        early.set(index, { value });
      },
      error: (index, error) => {
        outstanding--;
        if (!ordered) return subscriber.error(error);
        early.set(index, { error });
        emitInOrder();
      },
    };
    /** An input that is not an argument list fails at its place, never submitted. */
    const refuse = (item: unknown): void => {
      const index = submitted++;
      outstanding++;
      waiter.error(index, new TypeError(`starmap() inputs must be argument arrays, got ${inspect(item)}`));
    };
    const feeder: Feeder = {
      feed: new TaskFeed(input, () => host.pump()),
      chunksize,
      offer: (items) => {
        if (!spread) {
          outstanding += items.length;
          host.submit(submitted, waiter, undefined, items);
          submitted += items.length;
          return;
        }
        let from = 0;
        for (let k = 0; k <= items.length; k++) {
          if (k < items.length && Array.isArray(items[k])) continue;
          if (k > from) {
            outstanding += k - from;
            host.submit(submitted, waiter, items.slice(from, k) as unknown[][], undefined);
            submitted += k - from;
          }
          if (k < items.length) refuse(items[k]);
          from = k + 1;
        }
      },
      ended: () => {
        fed = true;
        completeIfDone();
      },
      failed: (error) => subscriber.error(error),
    };
    const aborted = (): void => subscriber.error(signal?.reason);
    signal?.addEventListener('abort', aborted, { once: true });
    host.feed(feeder);
    return () => {
      signal?.removeEventListener('abort', aborted);
      host.unfeed(feeder);
      // Their tasks run on (a task cannot be taken back from a worker); their outcomes are dropped.
      if (outstanding > 0) host.drop(waiter);
    };
  });
}
