import type { SchedulerLike } from 'rxjs';
import { BoundedFifo } from '../../core/bounded-fifo.js';
import { TaskLedger } from '../../core/task-ledger.js';
import { cloneValue } from '../../wire/structured-clone.js';
import type { Cancel, GetListener, PutListener, QueueEndpoint } from '../queue-endpoint.js';

/**
 * The owner's own view of its queue: the state machine itself, in this
 * thread, with synchronous handoff. Items are stored as structured clones.
 */
export class LocalQueueEndpoint<T> implements QueueEndpoint<T> {
  readonly fifo: BoundedFifo<T>;
  readonly ledger = new TaskLedger();
  readonly scheduler: SchedulerLike;

  constructor(maxsize: number, scheduler: SchedulerLike) {
    this.scheduler = scheduler;
    this.fifo = new BoundedFifo<T>(maxsize, scheduler, { admitted: () => this.ledger.opened() });
  }

  get maxsize(): number {
    return this.fifo.maxsize;
  }

  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    const copy = cloneValue(item);
    const ticket = this.fifo.put(
      {
        item: copy,
        accepted: () => listener.accepted(),
        failed: (error) => listener.failed(error),
      },
      timeout,
    );
    return ticket && (() => this.fifo.cancelPut(ticket));
  }

  get(listener: GetListener<T>, timeout: number | undefined): Cancel | undefined {
    const ticket = this.fifo.get(listener, timeout);
    return ticket && (() => this.fifo.cancelGet(ticket));
  }

  requeue(items: readonly T[]): void {
    this.fifo.requeue(items);
  }

  qsize(): Promise<number> {
    return Promise.resolve(this.fifo.size);
  }

  end(): Promise<void> {
    this.fifo.end();
    return Promise.resolve();
  }

  taskDone(count: number): void {
    this.ledger.closed(count);
  }

  join(release: () => void): Cancel {
    const cancel = this.ledger.join(release);
    return () => {
      cancel();
      return true;
    };
  }

  flush(): Promise<void> {
    // In-process an accepted put is already in the queue.
    return Promise.resolve();
  }
}
