import { Observable } from 'rxjs';
import type { Cancel } from './core/listeners.js';
import { Unfinished } from './errors.js';
import { checkWaitOptions, type JoinOptions, type Wait } from './handle/options.js';
import { Queue } from './queue.js';

/** How a waiting join settles. */
interface JoinListener {
  done(): void;
  failed(error: Error): void;
}

/**
 * A `Queue` that tracks work (Python's `JoinableQueue`): every accepted put
 * opens a task, `taskDone()` closes one, `join()` waits until none is open.
 *
 * @example
 * const q = new JoinableQueue<string>();
 * await q.put('job');
 * const job = await q.get();
 * q.taskDone();
 * await q.join();
 */
export class JoinableQueue<T> extends Queue<T> {
  /**
   * Marks one item this handle got as done (the oldest it holds). Throws
   * `RangeError` when called more times than this handle got items (Python
   * counts against puts).
   */
  taskDone(): void {
    this.endpoint.taskDone();
  }

  /**
   * Resolves once every item put so far has been marked done (at once if none
   * is open). With `timeout`, rejects `Unfinished` (carrying the timeout and
   * how many tasks were still open) once that many ms pass first; aborting
   * `signal` rejects with its reason. Either way no task is touched. A bad
   * timeout rejects `RangeError`/`TypeError`.
   *
   * A consumer that dies holding items does not make this hang: its items
   * are redelivered; if no consumer is left to take them, an `RxmpWarning`
   * (code `RXMP_NO_CONSUMER`) says so.
   *
   * @example await q.join({ timeout: 30_000 }); // or reject Unfinished
   */
  join(options?: JoinOptions): Promise<void> {
    let wait: Wait;
    try {
      wait = checkWaitOptions(options, 'join options');
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.calls.closed) return Promise.reject(this.calls.closedError());
    return new Promise((resolve, reject) => {
      this.startJoin(wait, { done: resolve, failed: reject });
    });
  }

  /**
   * Completes, without a value, once every item put so far has been marked
   * done; errors `Unfinished` after `timeout` (on the queue's scheduler, so
   * marbles see it) or with the reason of an aborted `signal`.
   */
  join$(options?: JoinOptions): Observable<never> {
    const wait = checkWaitOptions(options, 'join$ options');
    return new Observable<never>((subscriber) => {
      if (this.calls.closed) return subscriber.error(this.calls.closedError());
      const cancel = this.startJoin(wait, {
        done: () => subscriber.complete(),
        failed: (error) => subscriber.error(error),
      });
      return () => {
        cancel?.();
      };
    });
  }

  protected override isJoinable(): boolean {
    return true;
  }

  private startJoin({ timeout, signal }: Wait, listener: JoinListener): Cancel | undefined {
    return this.calls.run<void>({
      signal,
      start: (finish) => {
        let settled = false;
        let deadline: { unsubscribe(): void } | undefined;
        const settle = (): boolean => {
          if (settled) return false;
          settled = true;
          deadline?.unsubscribe();
          finish();
          return true;
        };
        const withdraw = this.endpoint.join(
          () => {
            if (settle()) listener.done();
          },
          (error) => {
            if (settle()) listener.failed(error);
          },
        );
        if (settled) return undefined;
        const expire = (): void => {
          // Still waiting (not released in the meantime): stop, then say how much was left.
          if (settled || !withdraw()) return;
          settle();
          this.endpoint.unfinished((open) => {
            // A handle on a queue owned elsewhere learns only now whether anything was open.
            if (open === 0) listener.done();
            else listener.failed(new Unfinished(timeout as number, open));
          });
        };
        if (timeout === 0) {
          expire();
          return undefined;
        }
        if (timeout !== undefined && timeout !== Infinity) deadline = this.endpoint.scheduler.schedule(expire, timeout);
        return () => {
          if (settled || !withdraw()) return false;
          settled = true;
          deadline?.unsubscribe();
          return true;
        };
      },
      settled: () => {},
      failed: (error) => listener.failed(error),
    });
  }
}
