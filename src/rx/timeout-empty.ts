import { identity, throwError, timeout, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { Empty } from '../errors.js';
import { checkTimeout } from '../handle/options.js';

/** RxJS `timeout` whose error is `Empty`: errors when no value arrives within `ms` (first or between values). */
export function timeoutEmpty<T>(ms: number, scheduler?: SchedulerLike): MonoTypeOperatorFunction<T> {
  const each = checkTimeout(ms, 'timeoutEmpty ms') ?? Infinity;
  if (each === Infinity) return identity; // no deadline
  return timeout({ each, with: () => throwError(() => new Empty(each)), ...(scheduler ? { scheduler } : {}) });
}
