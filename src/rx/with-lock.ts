import { concatMap, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';

/**
 * Runs `project(value)` for each value while holding `lock`, one at a
 * time (concatMap semantics): the lock is taken before the inner
 * Observable is subscribed, and released when it completes, errors or is
 * unsubscribed. For an RLock, the inner Observable runs as the lock's
 * owning task, so it may take the lock again.
 *
 * @example
 * jobs$.pipe(withLock(lock, (job) => from(writeLog(job))))
 */
export function withLock<T, R>(lock: Lock | RLock, project: (value: T, index: number) => ObservableInput<R>): OperatorFunction<T, R> {
  return concatMap((value, index) => lock.holding$(() => project(value, index)));
}
