import { abortReason, onAbort } from './abortable.js';
import { ClosedError } from '../errors.js';
import type { Cancel } from '../core/listeners.js';

/**
 * What one queue handle tracks about its own waiting calls: closing the
 * handle withdraws each of them (nothing is taken or enqueued) and tells its
 * caller; aborting a call's signal withdraws just that one.
 */
export class HandleState {
  private closedFlag = false;
  /** Each waiting call's "the handle closed under you" hook. */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly resource: string) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  closedError(): ClosedError {
    return new ClosedError(this.resource, `${this.resource} handle is closed`);
  }

  /** Marks the handle closed and withdraws every call it has waiting. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const closeUnder of [...this.waiting]) closeUnder();
  }

  /**
   * Runs a call that may wait. `start` gets a `finish` that its listener
   * calls when the call settles, and returns a `Cancel` if it is waiting.
   * A synchronous throw from `start` (an uncloneable item) is reported
   * through `fail`: nothing was enqueued.
   *
   * Returns a `Cancel` for the caller (an unsubscribe), or `undefined` when
   * the call already settled.
   */
  track(
    signal: AbortSignal | undefined,
    fail: (error: Error) => void,
    onClose: () => void,
    start: (finish: () => void) => Cancel | undefined,
  ): Cancel | undefined {
    if (this.closedFlag) {
      onClose();
      return undefined;
    }
    if (signal?.aborted) {
      fail(abortReason(signal));
      return undefined;
    }
    let done = false;
    let detach: (() => void) | undefined;
    const closeUnder = (): void => {
      if (!done && cancel?.()) {
        finish();
        onClose();
      }
    };
    const finish = (): void => {
      done = true;
      detach?.();
      this.waiting.delete(closeUnder);
    };
    let cancel: Cancel | undefined;
    try {
      cancel = start(finish);
    } catch (error) {
      if (!done) {
        finish();
        fail(error as Error);
      }
      return undefined;
    }
    if (done || !cancel) return undefined;
    const withdraw = cancel;
    this.waiting.add(closeUnder);
    const aborted = (): void => {
      if (!done && withdraw()) {
        finish();
        fail(abortReason(signal as AbortSignal));
      }
    };
    // The signal may have aborted while `start` ran (a getter of the item, say): no event comes then.
    if (signal?.aborted) aborted();
    else detach = onAbort(signal, aborted);
    return () => {
      if (done || !withdraw()) return false;
      finish();
      return true;
    };
  }
}
