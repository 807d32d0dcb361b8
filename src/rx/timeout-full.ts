import { identity, throwError, timeout, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { Full } from '../errors.js';
import { checkTimeout } from '../handle/options.js';

/**
 * RxJS `timeout` whose error is `Full`: for a put-like stream (`put$`,
 * `enqueue`) that is not accepted within `ms`. `maxsize` goes on the error.
 */
export function timeoutFull<T>(ms: number, options: { maxsize?: number; scheduler?: SchedulerLike } = {}): MonoTypeOperatorFunction<T> {
  const each = checkTimeout(ms, 'timeoutFull ms') ?? Infinity;
  if (each === Infinity) return identity; // no deadline
  const maxsize = options.maxsize ?? Infinity;
  return timeout({
    each,
    with: () => throwError(() => new Full(maxsize, each)),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
  });
}
