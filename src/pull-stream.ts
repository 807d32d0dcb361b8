import { Observable } from 'rxjs';
import type { Cancel, GetListener } from './transport/queue-endpoint.js';

/**
 * Takes one item: the listener hears `delivered`, `failed` or `ended`
 * (synchronously when it can), and the returned `Cancel` withdraws a take
 * that is still waiting. Queues and connections both offer one.
 */
export type Take<T> = (listener: GetListener<T>, timeout: number | undefined) => Cancel | undefined;

/**
 * An Observable that takes items one at a time for as long as it is
 * subscribed: it never takes an item it cannot emit at once, so
 * unsubscribing (even from inside `next`) leaves every other item where it was.
 * Completes on `ended`, errors on `failed`.
 */
export function pullStream<T>(take: Take<T>, timeout: number | undefined): Observable<T> {
  return new Observable<T>((subscriber) => {
    let cancel: Cancel | undefined;
    let pumping = false;
    let again = false;
    let stopped = false;
    const listener: GetListener<T> = {
      delivered: (item) => {
        cancel = undefined;
        subscriber.next(item);
        pump();
      },
      failed: (error) => {
        stopped = true;
        subscriber.error(error);
      },
      ended: () => {
        stopped = true;
        subscriber.complete();
      },
    };
    // A take that settles synchronously would otherwise recurse once per
    // queued item; the flag turns that recursion into this loop.
    const pump = (): void => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      do {
        again = false;
        if (stopped || subscriber.closed) break;
        cancel = take(listener, timeout);
      } while (again);
      pumping = false;
    };
    pump();
    return () => {
      stopped = true;
      cancel?.();
    };
  });
}

/** An async iterator taking one item per `next()`; `return()` withdraws a waiting take. */
export function pullIterator<T>(take: Take<T>): AsyncIterator<T> {
  let cancel: Cancel | undefined;
  let finished = false;
  let settlePending: ((result: IteratorResult<T>) => void) | undefined;
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  return {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        if (finished) return resolve(done());
        settlePending = resolve;
        cancel = take(
          {
            delivered: (value) => {
              cancel = settlePending = undefined;
              resolve({ done: false, value });
            },
            failed: (error) => {
              finished = true;
              cancel = settlePending = undefined;
              reject(error);
            },
            ended: () => {
              finished = true;
              cancel = settlePending = undefined;
              resolve(done());
            },
          },
          undefined,
        );
      }),
    return: () => {
      finished = true;
      if (cancel?.()) settlePending?.(done());
      cancel = settlePending = undefined;
      return Promise.resolve(done());
    },
  };
}
