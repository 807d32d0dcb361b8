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
  /** Items this handle got and has not marked done. */
  private held = 0;

  /**
   * Marks one item this handle got as done. Throws `RangeError` when called
   * more times than this handle got items (Python counts against puts).
   */
  taskDone(): void {
    if (this.held === 0) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.held--;
    this.endpoint.taskDone(1);
  }

  /** Resolves once every item put so far has been marked done (at once if none is open). */
  join(): Promise<void> {
    return new Promise((resolve) => {
      this.endpoint.join(resolve);
    });
  }

  /** Completes, without a value, once every item put so far has been marked done. */
  join$(): Observable<never> {
    return new Observable<never>((subscriber) => {
      const cancel = this.endpoint.join(() => subscriber.complete());
      return () => {
        cancel();
      };
    });
  }

  protected override delivered(): void {
    this.held++;
  }

  protected override released(count: number): void {
    this.held -= count;
  }
}
