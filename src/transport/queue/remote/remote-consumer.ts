import { Deque } from '../../../core/collections/deque.js';
import { WaitList } from '../../../core/collections/wait-list.js';
import { NOTHING } from '../../../core/queue/bounded-fifo.js';
import { type ClosedError, Empty } from '../../../errors.js';
import type { Cancel, Delivery, GetListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';
import { withdraw, withdrawTry } from './remote-producer.js';
import { MAX_FETCH } from '../../../wire/protocol/queue.js';

interface PendingGet<T> {
  readonly listener: GetListener<T>;
  readonly prefetch: number;
}

interface Fetched {
  readonly item: unknown;
  readonly tag: number;
}

/**
 * The consuming half of a remote queue handle. Gets take from items fetched
 * ahead (a window of `prefetch`), which stay counted toward `maxsize` at the
 * owner until acknowledged; fetched items nobody waits for go back to the
 * front of the queue at the end of the turn. Each delivery has a tag, for
 * `taskDone` and for putting an item back.
 */
export class RemoteConsumer<T> {
  private readonly buffer = new Deque<Fetched>();
  private readonly getters = new WaitList<PendingGet<T>>();
  private readonly tryGets = new Deque<GetListener<T> | undefined>();
  private fetching = 0;
  private nextTag = 1;
  private drained = false;
  /** JoinableQueue: deliveries not yet marked done, oldest first. */
  private readonly held = new Set<number>();
  /** The windows of the consumers attached now (streams, iterators, `consume`). */
  private readonly streams: number[] = [];

  constructor(
    private readonly ctx: RemoteContext,
    private readonly joinable: boolean,
  ) {}

  get(listener: GetListener<T>, timeout: number | undefined, prefetch = 1): Cancel | undefined {
    if (!this.closed && this.buffer.length > 0 && this.getters.length === 0) {
      this.deliver(this.buffer.shift() as Fetched, listener);
      return undefined;
    }
    const failure = this.ctx.failure();
    if (failure) {
      listener.failed(failure);
      return undefined;
    }
    if (this.drained) {
      listener.ended();
      return undefined;
    }
    if (timeout === 0) {
      this.tryGets.push(listener);
      this.ctx.busy(1);
      this.ctx.link.send({ t: 'fetch', q: this.ctx.id, n: 1, try: true });
      return () => withdrawTry(this.tryGets, listener, this.ctx);
    }
    const node = this.getters.push({ listener, prefetch });
    this.ctx.busy(1);
    if (timeout !== undefined && timeout !== Infinity) {
      this.getters.expireAfter(node, timeout, this.ctx.scheduler, (g) => {
        this.ctx.busy(-1);
        this.afterGetterLeft();
        g.listener.failed(new Empty(timeout));
      });
    }
    this.askForItems();
    return () => {
      const withdrawn = withdraw(this.getters, node, this.ctx);
      if (withdrawn) this.afterGetterLeft();
      return withdrawn;
    };
  }

  /** A consumer that keeps taking: keep its window of items fetched ahead while it is attached. */
  attach(prefetch: number): () => void {
    this.streams.push(prefetch);
    this.askForItems();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.streams.splice(this.streams.indexOf(prefetch), 1);
      if (this.streams.length === 0 && this.getters.length === 0) {
        this.withdrawFetches();
        this.ctx.sweepSoon();
      }
    };
  }

  /** An item fetched already, if one is on hand and nobody waits ahead. */
  tryGet(): T | typeof NOTHING {
    if (this.closed || this.buffer.length === 0 || this.getters.length > 0) return NOTHING;
    const fetched = this.buffer.shift() as Fetched;
    this.ctx.link.sendCount('ack', this.ctx.id, 1);
    if (this.joinable) this.held.add(fetched.tag);
    this.lastTag = fetched.tag;
    if (this.streams.length > 0) this.askForItems();
    return fetched.item as T;
  }

  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  /** Fetched items arrived (in answer to a `try` fetch if `tryAnswer`). */
  onItems(items: unknown[], tryAnswer: boolean): void {
    // A closed handle's leases went back when it detached: what still arrives is not its any more.
    if (this.closed) return;
    if (!tryAnswer) this.fetching = Math.max(0, this.fetching - items.length);
    for (const item of items) this.buffer.push({ item, tag: this.nextTag++ });
    if (tryAnswer) {
      const listener = this.tryGets.shift();
      if (listener) {
        this.ctx.busy(-1);
        const next = this.buffer.shift();
        if (next) this.deliver(next, listener);
        else if (this.drained) listener.ended();
        else listener.failed(new Empty(0));
      }
    }
    while (this.buffer.length > 0 && this.getters.length > 0) {
      const g = this.getters.shift() as PendingGet<T>;
      this.ctx.busy(-1);
      this.deliver(this.buffer.shift() as Fetched, g.listener);
    }
    if (this.getters.length > 0) this.askForItems();
    this.ctx.sweepSoon();
  }

  /** The queue ended and nothing is left at the owner. */
  onDrained(): void {
    this.drained = true;
    this.fetching = 0;
    if (this.buffer.length > 0) return;
    for (const g of this.getters.drain()) {
      this.ctx.busy(-1);
      g.listener.ended();
    }
  }

  requeue(deliveries: readonly Delivery<T>[]): void {
    if (deliveries.length === 0 || this.ctx.failure()) return;
    // Nothing may be handed out between what goes back now: withdraw the fetches still
    // outstanding. What this handle fetched ahead came after these in queue order, so it
    // goes back first: the owner, putting both at its front, ends with these ahead of it.
    this.withdrawFetches();
    this.giveBack();
    for (const d of deliveries) this.held.delete(d.tag);
    this.ctx.link.send({
      t: 'requeue',
      q: this.ctx.id,
      items: deliveries.map((d) => d.item),
      tags: deliveries.map((d) => d.tag),
    });
    if (this.getters.length > 0 || this.streams.length > 0) this.askForItems();
  }

  taskDone(tag?: number): void {
    const settled = tag ?? (this.held.values().next().value as number | undefined);
    if (settled === undefined || !this.held.has(settled)) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.held.delete(settled);
    if (!this.ctx.failure()) this.ctx.link.send({ t: 'done', q: this.ctx.id, tags: [settled] });
  }

  /** Fetched items nobody waits for, and no attached consumer will take, go back to the front of the queue. */
  sweep(): void {
    if (this.getters.length === 0 && this.tryGets.length === 0 && this.streams.length === 0) this.giveBack();
  }

  /**
   * The handle closed. Its `detach` (sent next) gives every lease back at the
   * owner in delivery order, those buffered here and those still on their way
   * alike, so nothing is given back from here (two givebacks would invert them).
   */
  close(): void {
    this.buffer.drain();
    this.closed = true;
  }

  private closed = false;

  /** The owner is gone (or took everything back when the link dropped): nothing buffered may be handed out. */
  lost(error: ClosedError): void {
    this.buffer.drain();
    this.closed = true;
    for (const g of this.getters.drain()) g.listener.failed(error);
    for (const g of this.tryGets.drain()) g?.failed(error);
  }

  /**
   * Keeps enough fetched or on the way: one for each waiting get beyond the
   * first, plus the largest window among waiting gets and attached consumers.
   * Refills by half the window at a time, not item by item (fewer, fuller frames).
   */
  private askForItems(): void {
    if (this.drained || this.ctx.failure()) return;
    let window = 0;
    for (const g of this.getters.values()) window = Math.max(window, g.prefetch);
    for (const w of this.streams) window = Math.max(window, w);
    // A window of Infinity (or beyond what one request may ask) is as many as the owner serves at once.
    const target = Math.min(MAX_FETCH, Math.max(0, this.getters.length - 1) + window);
    const wanted = target - this.fetching - this.buffer.length;
    if (wanted <= 0 || (this.getters.length === 0 && wanted < Math.max(1, window / 2))) return;
    this.fetching += wanted;
    this.ctx.link.send({ t: 'fetch', q: this.ctx.id, n: wanted });
  }

  private afterGetterLeft(): void {
    if (this.getters.length > 0 || this.streams.length > 0) return;
    // Nobody waits here any more: withdraw what the owner has not sent yet.
    this.withdrawFetches();
    this.ctx.sweepSoon();
  }

  /** Cancels the fetches the owner has not served (items already on their way still arrive). */
  private withdrawFetches(): void {
    if (this.fetching === 0) return;
    this.fetching = 0;
    this.ctx.link.send({ t: 'unfetch', q: this.ctx.id });
  }

  private deliver(fetched: Fetched, listener: GetListener<T>): void {
    this.ctx.link.sendCount('ack', this.ctx.id, 1);
    if (this.joinable) this.held.add(fetched.tag);
    if (this.streams.length > 0) this.askForItems();
    listener.delivered(fetched.item as T, fetched.tag);
  }

  /** Gives back exactly the fetched items this handle holds (by tag; those still on their way are not its to give). */
  private giveBack(): void {
    if (this.buffer.length === 0) return;
    this.ctx.link.send({ t: 'giveback', q: this.ctx.id, tags: this.buffer.drain().map((f) => f.tag) });
  }
}
