import { Deque } from '../../../core/collections/deque.js';
import { WaitList } from '../../../core/collections/wait-list.js';
import { NOTHING } from '../../../core/queue/bounded-fifo.js';
import { type ClosedError, Empty, ProtocolError } from '../../../errors.js';
import type { Cancel, Delivery, GetListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';
import { withdraw, withdrawTry } from './remote-producer.js';
import { MAX_FETCH } from '../../../wire/protocol/queue.js';
import { Windows } from './windows.js';
import { HandOver } from './hand-over.js';
import { HeldDeliveries } from './held-deliveries.js';

interface PendingGet<T> {
  readonly listener: GetListener<T>;
  readonly prefetch: number;
  readonly returnable: boolean;
}

interface PendingTry<T> {
  readonly listener: GetListener<T>;
  readonly returnable: boolean;
}

interface Fetched {
  readonly item: unknown;
  readonly tag: number;
  /** Unfinished attempts the owner counted for it (see the queue protocol: Attempts). */
  readonly attempts: number;
}

/**
 * The consuming half of a remote queue handle. Gets take from items fetched
 * ahead (a window of `prefetch`), which stay counted toward `maxsize` at the
 * owner until acknowledged; fetched items nobody waits for go back to the
 * front of the queue at the end of the turn. Each delivery is named by the
 * tag the owner gave it, for `taskDone` and for putting an item back.
 */
export class RemoteConsumer<T> {
  private readonly buffer = new Deque<Fetched>();
  private readonly getters = new WaitList<PendingGet<T>>();
  /** The windows of the waiting gets. */
  private readonly getterWindows = new Windows();
  private readonly tryGets = new Deque<PendingTry<T> | undefined>();
  /** Items asked for and not answered yet (by an item, or by `unfetched`): at least what the owner has parked. */
  private fetching = 0;
  /** A `fetch` went out since the last `unfetch` (only those can still be parked). */
  private askedSinceUnfetch = false;
  /** The tag the next leased item must carry (set when the owner answers `attach`). */
  private expectedTag: number | undefined;
  private drained = false;
  /** Deliveries that may still come back (see `HeldDeliveries`). */
  private readonly held: HeldDeliveries;
  /** The windows of the consumers attached now (streams, iterators, `consume`). */
  private readonly streams: number[] = [];
  /** Items go to the application only once their acks have left (a plain queue). */
  private readonly handOver: HandOver<T>;

  constructor(
    private readonly ctx: RemoteContext,
    private readonly joinable: boolean,
  ) {
    this.handOver = new HandOver<T>(ctx, !joinable);
    this.held = new HeldDeliveries(ctx);
  }

  get(listener: GetListener<T>, timeout: number | undefined, prefetch = 1, returnable = false): Cancel | undefined {
    if (this.handOver.unclaimed) {
      // The fast path of this very call acknowledged an item that could not go out at once.
      this.handOver.claim(listener);
      return committed;
    }
    if (!this.closed && this.buffer.length > 0 && this.getters.length === 0) {
      this.deliver(this.buffer.shift() as Fetched, listener, returnable);
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
      const pending: PendingTry<T> = { listener, returnable };
      this.tryGets.push(pending);
      this.ctx.busy(1);
      this.ctx.link.send({ t: 'fetch', q: this.ctx.id, n: 1, try: true });
      return () => withdrawTry(this.tryGets, pending, this.ctx);
    }
    const node = this.getters.push({ listener, prefetch, returnable });
    this.getterWindows.add(prefetch);
    this.ctx.busy(1);
    if (timeout !== undefined && timeout !== Infinity) {
      this.getters.expireAfter(node, timeout, this.ctx.scheduler, (g) => {
        this.ctx.busy(-1);
        this.getterWindows.remove(g.prefetch);
        this.afterGetterLeft();
        g.listener.failed(new Empty(timeout));
      });
    }
    this.askForItems();
    return () => {
      const withdrawn = withdraw(this.getters, node, this.ctx);
      if (withdrawn) {
        this.getterWindows.remove(prefetch);
        this.afterGetterLeft();
      }
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
  tryGet(returnable = false): T | typeof NOTHING {
    if (this.closed || this.buffer.length === 0 || this.getters.length > 0 || !this.handOver.idle) return NOTHING;
    const fetched = this.buffer.shift() as Fetched;
    this.acknowledge(fetched, returnable);
    this.lastTag = fetched.tag;
    if (this.handOver.now(fetched.tag)) return fetched.item as T;
    // Acknowledged, but the ack is still here: the get this fast path falls back to takes it once it has left.
    this.handOver.later(fetched.item as T, fetched.tag, undefined);
    return NOTHING;
  }

  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  /** A shared word for the owner to read where this handle stopped (see `HandOver`), if the link has them. */
  claimWord(): number | undefined {
    return this.handOver.claimWord();
  }

  /** The owner no longer reads that word. */
  releaseWord(): void {
    this.handOver.releaseWord();
  }

  /** The owner answered `attach`: this attachment's tags start at `tag`. */
  onAttached(tag: number): void {
    this.expectedTag = tag;
  }

  /**
   * Leased items arrived, `items[i]` with tag `tag + i` and `attempts[i]`
   * unfinished attempts (in answer to a `try` fetch if `tryAnswer`).
   */
  onItems(tag: number, items: unknown[], tryAnswer: boolean, attempts?: number[]): void {
    if (tag !== this.expectedTag) {
      throw new ProtocolError(`items of queue ${this.ctx.id} arrived with tag ${tag}, not the next tag (${this.expectedTag})`);
    }
    if (attempts && attempts.length !== items.length) {
      throw new ProtocolError(`items of queue ${this.ctx.id} arrived with ${attempts.length} attempt counts for ${items.length} items`);
    }
    this.expectedTag = tag + items.length;
    // A closed handle's leases went back when it detached: what still arrives is not its any more.
    if (this.closed) return;
    if (!tryAnswer) this.fetching -= Math.min(this.fetching, items.length);
    for (let i = 0; i < items.length; i++)
      this.buffer.push({ item: items[i], tag: tag + i, attempts: attempts ? (attempts[i] as number) : 0 });
    const handed: [Fetched, GetListener<T>][] = [];
    if (tryAnswer) {
      const pending = this.tryGets.shift();
      if (pending) {
        this.ctx.busy(-1);
        const next = this.buffer.shift();
        if (next) {
          this.acknowledge(next, pending.returnable);
          handed.push([next, pending.listener]);
        } else if (this.drained) pending.listener.ended();
        else pending.listener.failed(new Empty(0));
      }
    }
    while (this.buffer.length > 0 && this.getters.length > 0) {
      const g = this.getters.shift() as PendingGet<T>;
      this.getterWindows.remove(g.prefetch);
      this.ctx.busy(-1);
      const next = this.buffer.shift() as Fetched;
      this.acknowledge(next, g.returnable);
      handed.push([next, g.listener]);
    }
    // One write carries every ack of this run before any of its items goes out.
    this.handOut(handed);
    if (this.getters.length > 0) this.askForItems();
    this.ctx.sweepSoon();
  }

  /** An `unfetch` withdrew `n` parked fetches at the owner. */
  onUnfetched(n: number): void {
    if (n > this.fetching) {
      throw new ProtocolError(`the owner of queue ${this.ctx.id} withdrew ${n} fetches; ${this.fetching} were outstanding`);
    }
    this.fetching -= n;
    if (!this.closed && (this.getters.length > 0 || this.streams.length > 0)) this.askForItems();
  }

  /** The queue ended and nothing is left at the owner. */
  onDrained(): void {
    this.drained = true;
    // The owner withdrew every parked fetch, after sending everything they got.
    this.fetching = 0;
    if (this.buffer.length > 0) return;
    this.getterWindows.clear();
    for (const g of this.getters.drain()) {
      this.ctx.busy(-1);
      g.listener.ended();
    }
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    // Only deliveries that may come back can (the owner holds its copies of exactly those).
    const tags = this.held.heldOf(deliveries.map((d) => d.tag));
    if (tags.length === 0 || this.ctx.failure()) return;
    // Nothing may be handed out between what goes back now: withdraw the fetches still
    // outstanding. What this handle fetched ahead came after these in queue order, so it
    // goes back first: the owner, putting both at its front, ends with these ahead of it.
    this.withdrawFetches();
    this.giveBack();
    this.held.requeue(tags, failed);
    if (this.getters.length > 0 || this.streams.length > 0) this.askForItems();
  }

  /** Unfinished attempts a delivery this handle may still put back had been through. */
  attempts(tag: number): number {
    return this.held.attempts(tag);
  }

  taskDone(tag?: number): void {
    this.held.finish(tag);
  }

  /** A plain queue's returnable delivery is final (a JoinableQueue's waits for `taskDone`). */
  settle(tag: number): void {
    if (!this.joinable) this.held.settle(tag);
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
    this.held.sendSettled();
  }

  /** The handle was collected: nobody can mark what it holds done or settle it, so that goes back too. */
  abandon(): void {
    this.close();
    this.held.returnAll();
  }

  private closed = false;

  /** The owner is gone (or took everything back when the link dropped): nothing buffered may be handed out. */
  lost(error: ClosedError): void {
    this.buffer.drain();
    this.closed = true;
    this.getterWindows.clear();
    this.handOver.fail(error);
    for (const g of this.getters.drain()) g.listener.failed(error);
    for (const g of this.tryGets.drain()) g?.listener.failed(error);
  }

  /**
   * Keeps enough fetched or on the way: one for each waiting get beyond the
   * first, plus the largest window among waiting gets and attached consumers.
   * Refills by half the window at a time, not item by item (fewer, fuller frames).
   */
  private askForItems(): void {
    if (this.drained || this.closed || this.ctx.failure()) return;
    let window = this.getterWindows.max();
    for (const w of this.streams) window = Math.max(window, w);
    // A window of Infinity (or beyond what the owner parks for one link) is as many as it parks.
    const target = Math.min(MAX_FETCH, Math.max(0, this.getters.length - 1) + window);
    const wanted = target - this.fetching - this.buffer.length;
    if (wanted <= 0 || (this.getters.length === 0 && wanted < Math.max(1, window / 2))) return;
    this.fetching += wanted;
    this.askedSinceUnfetch = true;
    this.ctx.link.send({ t: 'fetch', q: this.ctx.id, n: wanted });
  }

  private afterGetterLeft(): void {
    if (this.getters.length > 0 || this.streams.length > 0) return;
    // Nobody waits here any more: withdraw what the owner has not sent yet.
    this.withdrawFetches();
    this.ctx.sweepSoon();
  }

  /** Withdraws the fetches the owner may still have parked (items already on their way still arrive). */
  private withdrawFetches(): void {
    if (!this.askedSinceUnfetch) return;
    this.askedSinceUnfetch = false;
    this.ctx.link.send({ t: 'unfetch', q: this.ctx.id });
  }

  private deliver(fetched: Fetched, listener: GetListener<T>, returnable: boolean): void {
    this.acknowledge(fetched, returnable);
    this.handOut([[fetched, listener]]);
  }

  /** Hands acknowledged items to their getters, in order, once their acks have left (see `HandOver`). */
  private handOut(handed: readonly [Fetched, GetListener<T>][]): void {
    if (handed.length === 0) return;
    if (this.handOver.now((handed[handed.length - 1] as [Fetched, GetListener<T>])[0].tag)) {
      for (const [fetched, listener] of handed) listener.delivered(fetched.item as T, fetched.tag);
    } else {
      for (const [fetched, listener] of handed) this.handOver.later(fetched.item as T, fetched.tag, listener);
    }
  }

  /** The item goes to the application: its slot is free, and the owner keeps a copy if it may come back. */
  private acknowledge(fetched: Fetched, returnable: boolean): void {
    const hold = returnable && !this.joinable;
    const done = this.joinable ? undefined : this.held.takeSettled();
    if (hold)
      this.ctx.link.send(
        done
          ? { t: 'ack', q: this.ctx.id, tag: fetched.tag, n: 1, hold, done }
          : { t: 'ack', q: this.ctx.id, tag: fetched.tag, n: 1, hold },
      );
    else if (done) this.ctx.link.send({ t: 'ack', q: this.ctx.id, tag: fetched.tag, n: 1, done });
    else this.ctx.link.sendCount('ack', this.ctx.id, 1, fetched.tag);
    if (this.joinable || hold) this.held.add(fetched.tag, fetched.attempts);
    if (this.streams.length > 0) this.askForItems();
  }

  /** Gives back exactly the fetched items this handle holds (by tag; those still on their way are not its to give). */
  private giveBack(): void {
    if (this.buffer.length === 0) return;
    this.ctx.link.send({ t: 'giveback', q: this.ctx.id, tags: this.buffer.drain().map((f) => f.tag) });
  }
}

/** The Cancel of a get handed an item already: it can no longer be withdrawn (it settles soon). */
function committed(): boolean {
  return false;
}
