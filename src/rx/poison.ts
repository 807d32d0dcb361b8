import type { Observable } from 'rxjs';
import { ClosedError } from '../errors.js';
import { checkCount, quote } from '../handle/options.js';

/**
 * An item `consume` set aside after `maxAttempts` attempts that did not
 * finish it: what `onPoison` is called with and what goes into `deadLetter`.
 */
export interface PoisonItem<T> {
  /** The item, as the last attempt got it. */
  readonly item: T;
  /** Attempts made on it, the last included (≥ `maxAttempts`). */
  readonly attempts: number;
  /**
   * What ended the last attempt: the error `fn` failed with, or, when the
   * last attempt ended with its consumer's death (another process or thread
   * died before finishing it; its error was not seen here), a `ClosedError`
   * whose `resource` is `'consumer'`.
   */
  readonly error: unknown;
}

/** Where `consume` sets poison items aside: any queue (`put$` is all it uses). */
export interface DeadLetter<T> {
  /** Puts the poison record: completes once it is accepted. */
  put$(item: PoisonItem<T>): Observable<never>;
}

/** The poison options of `consume`, checked. */
export interface PoisonPolicy<T> {
  readonly maxAttempts: number;
  readonly onPoison: ((poison: PoisonItem<T>) => void) | undefined;
  readonly deadLetter: DeadLetter<T> | undefined;
}

/** `undefined` when `maxAttempts` is not set: then a failed run errors the stream, as without it. */
export function checkPoisonPolicy<T>(maxAttempts: unknown, onPoison: unknown, deadLetter: unknown): PoisonPolicy<T> | undefined {
  if (onPoison !== undefined && typeof onPoison !== 'function') throw new TypeError(`onPoison must be a function, got ${quote(onPoison)}`);
  if (deadLetter !== undefined && typeof (deadLetter as { put$?: unknown } | null)?.put$ !== 'function') {
    throw new TypeError(`deadLetter must be a queue (something with put$), got ${quote(deadLetter)}`);
  }
  if (maxAttempts === undefined) {
    if (onPoison !== undefined || deadLetter !== undefined) {
      throw new TypeError(
        `${onPoison !== undefined ? 'onPoison' : 'deadLetter'} needs maxAttempts: the attempts after which an item is poison`,
      );
    }
    return undefined;
  }
  return {
    maxAttempts: checkCount(maxAttempts, 'maxAttempts', 1),
    onPoison: onPoison as PoisonPolicy<T>['onPoison'],
    deadLetter: deadLetter as DeadLetter<T> | undefined,
  };
}

/** The error of a poison item whose last attempt ended with its consumer's death. */
export function consumerLost(attempts: number): ClosedError {
  return new ClosedError(
    'consumer',
    `the consumer of this item went away before finishing it (${attempts} attempt${attempts === 1 ? '' : 's'} without an end)`,
  );
}

/** A poison item nobody takes (no `onPoison`, no `deadLetter`) is still not dropped without a word. */
export function warnPoison(poison: PoisonItem<unknown>): void {
  const error = poison.error as Error | undefined;
  process.emitWarning(
    `consume() set an item aside after ${poison.attempts} attempts (maxAttempts, no onPoison or deadLetter): ${String(error?.stack ?? error)}`,
    { type: 'RxmpWarning', code: 'RXMP_POISON_ITEM' },
  );
}
