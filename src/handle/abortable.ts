import type { Cancel } from '../core/listeners.js';

/** What an aborted call rejects with: the signal's reason, as `fetch` and `events.once` do. */
export function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Runs a call that may wait, so that aborting `signal` withdraws it and
 * fails it with the signal's reason. `start` gets a `finish` to call when the
 * call settles by itself, and returns its `Cancel` if it is still waiting.
 */
export function abortably(
  signal: AbortSignal | undefined,
  fail: (error: Error) => void,
  start: (finish: () => void) => Cancel | undefined,
): void {
  if (!signal) {
    start(noop);
    return;
  }
  if (signal.aborted) {
    fail(abortReason(signal));
    return;
  }
  let done = false;
  const onAbort = (): void => {
    if (!done && cancel?.()) {
      done = true;
      fail(abortReason(signal));
    }
  };
  const finish = (): void => {
    done = true;
    signal.removeEventListener('abort', onAbort);
  };
  const cancel = start(finish);
  if (done || !cancel) return;
  // The signal may have aborted while `start` ran (a getter of the value, say): no event comes then.
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
}

/** Subscribes `fn` to `signal`'s abort; returns the unsubscriber. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): (() => void) | undefined {
  if (!signal) return undefined;
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

function noop(): void {}
