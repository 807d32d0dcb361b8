import { Observable } from 'rxjs';
import type { Cancel, GetListener } from '../core/listeners.js';

/**
 * Takes one item: the listener hears `delivered`, `failed` or `ended`
 * (synchronously when it can), and the returned `Cancel` withdraws a take
 * that is still waiting. Queues and connections both offer one.
 */
export type Take<T> = (listener: GetListener<T>, timeout: number | undefined) => Cancel | undefined;

/** Declares a consumer that will keep taking, with its window; returns the detach. */
export type Attach = () => () => void;

/**
 * An Observable that takes items one at a time for as long as it is
 * subscribed: it never takes an item it cannot emit at once, so
 * unsubscribing (even from inside `next`) leaves every other item where it was.
 * Completes on `ended`, errors on `failed`.
 */
export function pullStream<T>(take: Take<T>, timeout: number | undefined, attach?: Attach): Observable<T> {
  return new Observable<T>((subscriber) => {
    const detach = attach?.();
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
      detach?.();
    };
  });
}

/**
 * An async iterator taking one item per `next()`; several `next()` calls may
 * wait at once. `return()` withdraws every waiting take (nothing is taken for
 * them) and ends the iteration.
 */
export function pullIterator<T>(take: Take<T>, attach?: Attach): AsyncIterator<T> {
  let finished = false;
  let detach: (() => void) | undefined;
  /** The takes still waiting, each with the way to end its `next()` as done. */
  const waiting = new Map<Cancel, () => void>();
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  const finish = (): void => {
    finished = true;
    detach?.();
  };
  return {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        if (finished) return resolve(done());
        detach ??= attach?.();
        let cancel: Cancel | undefined;
        const settle = (): void => {
          if (cancel) waiting.delete(cancel);
        };
        cancel = take(
          {
            delivered: (value) => {
              settle();
              resolve({ done: false, value });
            },
            failed: (error) => {
              settle();
              finish();
              reject(error);
            },
            ended: () => {
              settle();
              finish();
              resolve(done());
            },
          },
          undefined,
        );
        if (cancel) waiting.set(cancel, () => resolve(done()));
      }),
    return: () => {
      finish();
      for (const [cancel, end] of [...waiting]) if (cancel()) end();
      waiting.clear();
      return Promise.resolve(done());
    },
  };
}
