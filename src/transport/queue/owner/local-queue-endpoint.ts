import type { SchedulerLike } from 'rxjs';
import { BoundedFifo, NOTHING, type GetWaiter } from '../../../core/queue/bounded-fifo.js';
import { Attempted, itemOf, type Stored, storedWith } from '../../../core/queue/attempted.js';
import { TaskLedger } from '../../../core/queue/task-ledger.js';
import { CHANNELS, publish } from '../../../diagnostics.js';
import { fastClone } from '../../../wire/fast-clone.js';
import type { QueueEndpoint } from '../queue-endpoint.js';
import type { Cancel, Delivery, GetListener, PutListener } from '../../../core/listeners.js';

/**
 * The owner's own view of its queue: the state machine itself, in this
 * thread, with synchronous handoff. Items are stored as copies: taken at the
 * put here, or decoded from the frame they came in from another runtime.
 * An item that came back after unfinished attempts is stored with their
 * count (see `attempted.ts`); this handle keeps the count of each delivery
 * that may come back, only while it is not zero.
 */
export class LocalQueueEndpoint<T> implements QueueEndpoint<T> {
  readonly fifo: BoundedFifo<Stored<T>>;
  readonly ledger = new TaskLedger();
  readonly scheduler: SchedulerLike;
  /** Deliveries this handle got and has not marked done (JoinableQueue), oldest first. */
  private readonly held = new Set<number>();
  private nextTag = 1;
  /** Unfinished attempts of the deliveries that may come back, when not 0, by tag. */
  private readonly attemptsByTag = new Map<number, number>();
  private readonly endWatchers = new Set<() => void>();
  private readonly closeWatchers = new Set<() => void>();
  /** The id this queue is served under while other runtimes may use it (see `QueueBroker.serve`). */
  sharedAs: string | undefined;

  constructor(
    maxsize: number,
    scheduler: SchedulerLike,
    /** Only a JoinableQueue tracks what its consumers hold. */
    readonly joinable: boolean,
  ) {
    this.scheduler = scheduler;
    this.fifo = new BoundedFifo<Stored<T>>(maxsize, scheduler, { admitted: () => this.ledger.opened() });
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
  tryGet(returnable?: boolean): T | typeof NOTHING {
    const stored = this.fifo.takeNow();
    if (stored === NOTHING) return NOTHING;
    this.lastTag = this.nextTag++;
    this.hold(this.lastTag, stored, returnable);
    return itemOf(stored);
  }

  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  get(listener: GetListener<T>, timeout: number | undefined, _prefetch?: number, returnable?: boolean): Cancel | undefined {
    const waiter: GetWaiter<Stored<T>> = {
      delivered: (stored) => {
        const tag = this.nextTag++;
        this.hold(tag, stored, returnable);
        listener.delivered(itemOf(stored), tag);
      },
      failed: (error) => listener.failed(error),
      ended: () => listener.ended(),
    };
    const ticket = this.fifo.get(waiter, timeout);
    return ticket && (() => this.fifo.cancelGet(ticket));
  }

  private hold(tag: number, stored: Stored<T>, returnable: boolean | undefined): void {
    if (this.joinable) this.held.add(tag);
    else if (!returnable) return; // final at once: its count no longer matters
    if (stored instanceof Attempted) this.attemptsByTag.set(tag, stored.attempts);
  }

  attempts(tag: number): number {
    return this.attemptsByTag.get(tag) ?? 0;
  }

  attach(): () => void {
    // The owner takes straight from the queue: nothing is fetched ahead. It only counts its streams.
    this.streams++;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.streams--;
    };
  }

  private streams = 0;

  /** This handle consumes now: a stream or `consume` is attached, an item is in hand (not done), or a get waits. */
  get consuming(): boolean {
    return this.streams > 0 || this.held.size > 0 || this.fifo.waitingGetters > 0;
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    const back: Stored<T>[] = [];
    for (const d of deliveries) {
      this.held.delete(d.tag);
      const attempts = (this.attemptsByTag.get(d.tag) ?? 0) + (d.tag === failed ? 1 : 0);
      this.attemptsByTag.delete(d.tag);
      back.push(storedWith(d.item, attempts));
    }
    this.fifo.requeue(back);
    if (back.length > 0) {
      const reason = failed === undefined ? 'returned' : 'failed';
      publish(CHANNELS.queueRedeliver, () => ({ queue: this.sharedAs ?? 'this process', items: back.length, reason }));
    }
  }

  qsize(): Promise<number> {
    return Promise.resolve(this.fifo.size);
  }

  full(): Promise<boolean> {
    return Promise.resolve(!this.fifo.hasRoomForLocalPut);
  }

  settle(tag: number): void {
    // Nothing else is held for a plain queue's consumer here: the item is already out of the queue.
    this.attemptsByTag.delete(tag);
  }

  /** The error the queue ended on (see `QueueEndpoint.endError`); the broker sends it with `ended`. */
  endError: Error | undefined;

  end(error?: Error): Promise<boolean> {
    return Promise.resolve(this.endNow(error));
  }

  /** Ends the queue now; `true` if it had not ended. */
  endNow(error?: Error): boolean {
    if (this.fifo.ended) return false;
    // Before the fifo ends: consumers it finds drained at once look here for the error.
    this.endError = error;
    this.fifo.end();
    for (const watcher of [...this.endWatchers]) watcher();
    return true;
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
    this.attemptsByTag.delete(settled);
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
