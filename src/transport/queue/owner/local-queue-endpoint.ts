import type { SchedulerLike } from 'rxjs';
import { BoundedFifo, NOTHING, type GetWaiter } from '../../../core/queue/bounded-fifo.js';
import { TaskLedger } from '../../../core/queue/task-ledger.js';
import { fastClone } from '../../../wire/fast-clone.js';
import type { QueueEndpoint } from '../queue-endpoint.js';
import type { Cancel, Delivery, GetListener, PutListener } from '../../../core/listeners.js';

/**
 * The owner's own view of its queue: the state machine itself, in this
 * thread, with synchronous handoff. Items are stored as copies: taken at the
 * put here, or decoded from the frame they came in from another runtime.
 */
export class LocalQueueEndpoint<T> implements QueueEndpoint<T> {
  readonly fifo: BoundedFifo<T>;
  readonly ledger = new TaskLedger();
  readonly scheduler: SchedulerLike;
  /** Deliveries this handle got and has not marked done (JoinableQueue), oldest first. */
  private readonly held = new Set<number>();
  private nextTag = 1;
  private readonly endWatchers = new Set<() => void>();
  private readonly closeWatchers = new Set<() => void>();

  constructor(
    maxsize: number,
    scheduler: SchedulerLike,
    /** Only a JoinableQueue tracks what its consumers hold. */
    readonly joinable: boolean,
  ) {
    this.scheduler = scheduler;
    this.fifo = new BoundedFifo<T>(maxsize, scheduler, { admitted: () => this.ledger.opened() });
  }

  get maxsize(): number {
    return this.fifo.maxsize;
  }

  put(item: T, listener: PutListener, timeout: number | undefined): Cancel | undefined {
    const copy = fastClone(item);
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

  tryPut(item: T): boolean {
    if (!this.fifo.canAccept) return false;
    return this.fifo.offer(fastClone(item));
  }

  /** In-process a consumer that may put an item back hands the queue its own copy back (see `requeue`). */
  tryGet(_returnable?: boolean): T | typeof NOTHING {
    const item = this.fifo.takeNow();
    if (item === NOTHING) return NOTHING;
    this.lastTag = this.nextTag++;
    this.hold(this.lastTag);
    return item;
  }

  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  get(listener: GetListener<T>, timeout: number | undefined): Cancel | undefined {
    const waiter: GetWaiter<T> = {
      delivered: (item) => {
        const tag = this.nextTag++;
        this.hold(tag);
        listener.delivered(item, tag);
      },
      failed: (error) => listener.failed(error),
      ended: () => listener.ended(),
    };
    const ticket = this.fifo.get(waiter, timeout);
    return ticket && (() => this.fifo.cancelGet(ticket));
  }

  private hold(tag: number): void {
    if (this.joinable) this.held.add(tag);
  }

  attach(): () => void {
    return noop; // the owner takes straight from the queue: nothing is fetched ahead
  }

  requeue(deliveries: readonly Delivery<T>[]): void {
    for (const d of deliveries) this.held.delete(d.tag);
    this.fifo.requeue(deliveries.map((d) => d.item));
  }

  qsize(): Promise<number> {
    return Promise.resolve(this.fifo.size);
  }

  full(): Promise<boolean> {
    return Promise.resolve(!this.fifo.hasRoomForLocalPut);
  }

  settle(): void {
    // Nothing is held for a plain queue's consumer here: the item is already out of the queue.
  }

  end(): Promise<void> {
    if (!this.fifo.ended) {
      this.fifo.end();
      for (const watcher of [...this.endWatchers]) watcher();
    }
    return Promise.resolve();
  }

  /** Tells `watcher` when the queue ends, however it is ended (the broker relays it). Returns the unsubscribe. */
  onEnd(watcher: () => void): () => void {
    this.endWatchers.add(watcher);
    return () => this.endWatchers.delete(watcher);
  }

  /** Tells `watcher` whenever the owner's own object closes (the broker may then release the queue). */
  onClose(watcher: () => void): () => void {
    this.closeWatchers.add(watcher);
    return () => this.closeWatchers.delete(watcher);
  }

  taskDone(tag?: number): void {
    const settled = tag ?? (this.held.values().next().value as number | undefined);
    if (settled === undefined || !this.held.has(settled)) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.ledger.closed(1);
    this.held.delete(settled);
  }

  join(release: () => void): Cancel {
    const cancel = this.ledger.join(release);
    return () => {
      cancel();
      return true;
    };
  }

  unfinished(report: (open: number | undefined) => void): void {
    report(this.ledger.unfinished);
  }

  close(): Promise<void> {
    for (const watcher of [...this.closeWatchers]) watcher();
    // In-process an accepted put is already in the queue.
    return Promise.resolve();
  }
}

function noop(): void {}
