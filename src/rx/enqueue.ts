import { concatMap, type Observable, type OperatorFunction } from 'rxjs';
import { checkWait, type PutOptions } from '../handle/options.js';

/** Anything `enqueue` can put into: `Queue`, `JoinableQueue`, `SimpleQueue`. */
export interface Enqueueable<T> {
  /** Puts `item`: completes once it is accepted (waiting for space), errors `Full` or `ClosedError`. */
  put$(item: T, options?: PutOptions): Observable<never>;
}

/**
 * Puts each source value into `queue`, one at a time and in order, waiting
 * for space in a bounded queue (concatMap semantics). Emits nothing;
 * completes once every put has been accepted; errors with the first failed
 * put (`Full` when `options.timeout` runs out).
 *
 * @example
 * source$.pipe(enqueue(q)).subscribe({ complete: () => q.end() });
 */
export function enqueue<T>(queue: Enqueueable<T>, options?: PutOptions): OperatorFunction<T, never> {
  checkWait(options, 'enqueue options');
  return (source) => source.pipe(concatMap((item) => queue.put$(item, options)));
}
