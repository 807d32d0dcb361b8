import { Observable } from 'rxjs';
import { Queue } from './queue.js';

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

  /** Resolves once every item put so far has been marked done (at once if none is open). */
  join(): Promise<void> {
    if (this.calls.closed) return Promise.reject(this.calls.closedError());
    return new Promise((resolve, reject) => {
      this.endpoint.join(resolve, reject);
    });
  }

  /** Completes, without a value, once every item put so far has been marked done. */
  join$(): Observable<never> {
    return new Observable<never>((subscriber) => {
      if (this.calls.closed) return subscriber.error(this.calls.closedError());
      const cancel = this.endpoint.join(
        () => subscriber.complete(),
        (error) => subscriber.error(error),
      );
      return () => {
        cancel();
      };
    });
  }

  protected override isJoinable(): boolean {
    return true;
  }
}
