import type { Cancel, GetListener, PutListener } from '../core/listeners.js';
import { ClosedError } from '../errors.js';

const RESOLVED: Promise<undefined> = Promise.resolve(undefined);

/** What `fast()` returns when the call cannot settle at once (nothing was done). */
export const NOT_NOW: unique symbol = Symbol('rxmp.notNow');

/** One call on a handle: how it settles at once if it can, and how it waits otherwise. */
export interface Call<R> {
  /** Aborting withdraws the call (if it still waits) and fails it with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The fast path, tried only without a signal and on an open handle: the
   * result if the call can settle now, or `NOT_NOW` with nothing done. A
   * throw fails the call (nothing was done either).
   */
  readonly fast?: (() => R | typeof NOT_NOW) | undefined;
  /**
   * Starts the call. `finish` must be called by whatever settles it by itself
   * (before `settled`/`failed`); returns a `Cancel` while the call waits.
   */
  start(finish: () => void): Cancel | undefined;
  settled(result: R): void;
  failed(error: Error): void;
  /**
   * The handle closed while the call waited (it was withdrawn), or was
   * closed already. Absent: closing the handle leaves the call alone (a
   * pipe end's sends still go out after `close()`).
   */
  readonly closed?: (() => void) | undefined;
}

/**
 * A kind of call a handle makes as a Promise (`put`, `get`, `send`, …),
 * described once per handle so that a call that settles at once allocates
 * nothing but its result: `arg` is what varies from call to call.
 */
export interface PromisedCall<A, R> {
  /** The fast path (see `Call.fast`). */
  fast?(arg: A): R | typeof NOT_NOW;
  /** Starts the call (see `Call.start`), settling through `resolve`/`reject` after `finish`. */
  start(
    arg: A,
    timeout: number | undefined,
    finish: () => void,
    resolve: (result: R) => void,
    reject: (error: Error) => void,
  ): Cancel | undefined;
  /** Closing the handle withdraws the call, which then rejects `ClosedError`; `false`: it is left alone. */
  readonly closes: boolean;
}

/**
 * The calls one handle has waiting, in one place for every kind of handle:
 * each can be aborted by its signal; closing the handle withdraws those
 * that close with it (nothing taken, nothing enqueued) and tells their
 * callers. Deadlines are kept by the state machines the calls wait in, on
 * the handle's scheduler, so that marble tests see them.
 *
 * Cancelling is atomic: a call is withdrawn only if its `Cancel` says it
 * was still waiting, so a call either settled or was withdrawn, never both.
 */
export class PendingCalls {
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

  /** Marks the handle closed and withdraws every waiting call that closes with it. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const closeUnder of [...this.waiting]) closeUnder();
  }

  /** Runs `call`; returns its `Cancel` while it waits (an unsubscribe), `undefined` once it settled. */
  run<R>(call: Call<R>): Cancel | undefined {
    const { signal } = call;
    if (this.closedFlag && call.closed) {
      call.closed();
      return undefined;
    }
    if (call.fast && !signal && !this.closedFlag) {
      let result: R | typeof NOT_NOW;
      try {
        result = call.fast();
      } catch (error) {
        call.failed(error as Error);
        return undefined;
      }
      if (result !== NOT_NOW) {
        call.settled(result);
        return undefined;
      }
    }
    if (signal?.aborted) {
      call.failed(abortReason(signal));
      return undefined;
    }
    return this.wait(call, signal);
  }

  /**
   * Makes `call` with `arg` as a Promise. Without a signal, on an open
   * handle, a call that settles at once costs no more than its fast path.
   */
  promise<A, R>(
    call: PromisedCall<A, R>,
    arg: A,
    wait: { readonly timeout: number | undefined; readonly signal: AbortSignal | undefined },
  ): Promise<R> {
    if (call.fast && !wait.signal && !this.closedFlag) {
      try {
        const result = call.fast(arg);
        if (result !== NOT_NOW) return result === undefined ? (RESOLVED as Promise<R>) : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<R>((resolve, reject) => {
      this.run<R>({
        signal: wait.signal,
        start: (finish) => call.start(arg, wait.timeout, finish, resolve, reject),
        settled: resolve,
        failed: reject,
        closed: call.closes ? () => reject(this.closedError()) : undefined,
      });
    });
  }

  private wait<R>(call: Call<R>, signal: AbortSignal | undefined): Cancel | undefined {
    let done = false;
    let detach: (() => void) | undefined;
    const tracked = call.closed !== undefined;
    const finish = (): void => {
      done = true;
      detach?.();
      if (tracked) this.waiting.delete(closeUnder);
    };
    const closeUnder = (): void => {
      if (!done && cancel?.()) {
        finish();
        call.closed?.();
      }
    };
    let cancel: Cancel | undefined;
    try {
      cancel = call.start(finish);
    } catch (error) {
      // A synchronous throw (an uncloneable item) fails the call: nothing was started.
      if (!done) {
        finish();
        call.failed(error as Error);
      }
      return undefined;
    }
    if (done || !cancel) return undefined;
    const withdraw = cancel;
    if (tracked) this.waiting.add(closeUnder);
    if (signal) {
      const aborted = (): void => {
        if (!done && withdraw()) {
          finish();
          call.failed(abortReason(signal));
        }
      };
      // The signal may have aborted while `start` ran (a getter of the item, say): no event comes then.
      if (signal.aborted) aborted();
      else {
        signal.addEventListener('abort', aborted, { once: true });
        detach = () => signal.removeEventListener('abort', aborted);
      }
    }
    return () => {
      if (done || !withdraw()) return false;
      finish();
      return true;
    };
  }
}

/** What an aborted call rejects with: the signal's reason, as `fetch` and `events.once` do. */
export function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}

/** `listener`, telling `finish` first (a call waiting in `PendingCalls` must be told it settled). */
export function finishingPut(finish: () => void, listener: PutListener): PutListener {
  return {
    accepted: () => {
      finish();
      listener.accepted();
    },
    failed: (error) => {
      finish();
      listener.failed(error);
    },
  };
}

/** `listener`, telling `finish` first (see `finishingPut`). */
export function finishingGet<T>(
  finish: () => void,
  listener: GetListener<T>,
  /** A queue that ended on an error (see `QueueEndpoint.endError`): drained, the get fails with it. */
  queue?: { readonly endError: Error | undefined },
): GetListener<T> {
  return {
    delivered: (item, tag) => {
      finish();
      listener.delivered(item, tag);
    },
    failed: (error) => {
      finish();
      listener.failed(error);
    },
    ended: () => {
      finish();
      const error = queue?.endError;
      if (error) listener.failed(error);
      else listener.ended();
    },
  };
}
