import type { SchedulerLike } from 'rxjs';
import { ClosedError, Empty, Full } from '../errors.js';
import { Deque } from './deque.js';
import { WaitList, type WaitNode } from './wait-list.js';

/** A caller waiting to put `item`. Exactly one of its callbacks is called, once. */
export interface PutWaiter<T> {
  readonly item: T;
  accepted(): void;
  failed(error: Error): void;
}

/** A caller waiting for an item. Exactly one of its callbacks is called, once. */
export interface GetWaiter<T> {
  delivered(item: T): void;
  failed(error: Error): void;
  /** The queue has ended and is drained: there will never be another item. */
  ended(): void;
}

export type PutTicket<T> = WaitNode<PutWaiter<T>>;

export interface BoundedFifoHooks {
  /**
   * Called the moment an item is accepted, before anyone can receive it
   * (JoinableQueue opens its task here, so a fast consumer's `taskDone`
   * never runs ahead of the put).
   */
  admitted?(): void;
}
export type GetTicket<T> = WaitNode<GetWaiter<T>>;

/**
 * The bounded FIFO at the heart of every queue: items, waiting putters and
 * waiting getters, with deadlines taken from an RxJS scheduler.
 *
 * Everything is synchronous. A call that can complete at once calls its
 * waiter before returning, and returns `undefined`; otherwise it returns a
 * ticket to cancel with. Cancelling is atomic: a waiter is either settled or
 * still waiting, never both, so a cancelled get never loses an item.
 *
 * Invariants: getters wait only while there are no items; putters wait only
 * while the queue is full (`size >= maxsize`).
 */
export class BoundedFifo<T> {
  /** `Infinity` for an unbounded queue. */
  readonly maxsize: number;
  private readonly scheduler: SchedulerLike;
  private readonly items = new Deque<T>();
  private readonly putters = new WaitList<PutWaiter<T>>();
  private readonly getters = new WaitList<GetWaiter<T>>();
  private endedFlag = false;
  private readonly admitted: (() => void) | undefined;

  constructor(maxsize: number, scheduler: SchedulerLike, hooks: BoundedFifoHooks = {}) {
    this.maxsize = maxsize;
    this.scheduler = scheduler;
    this.admitted = hooks.admitted;
  }

  /** Items in the queue (not counting putters still waiting for a slot). */
  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.maxsize;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /** Callers currently waiting for an item. */
  get waitingGetters(): number {
    return this.getters.length;
  }

  /** Callers currently waiting for a free slot. */
  get waitingPutters(): number {
    return this.putters.length;
  }

  /**
   * Puts `waiter.item`, handing it straight to the oldest waiting getter if
   * there is one. `timeout`: `undefined` waits forever, `0` does not wait.
   */
  put(waiter: PutWaiter<T>, timeout?: number): PutTicket<T> | undefined {
    if (this.endedFlag) {
      waiter.failed(new ClosedError('queue', 'queue has ended: no more puts'));
      return undefined;
    }
    if (this.putters.length === 0 && this.items.length < this.maxsize) {
      this.admitted?.();
      const getter = this.getters.shift();
      if (getter) getter.delivered(waiter.item);
      else this.items.push(waiter.item);
      waiter.accepted();
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Full(this.maxsize, 0));
      return undefined;
    }
    const ticket = this.putters.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.putters.expireAfter(ticket, timeout, this.scheduler, (w) => w.failed(new Full(this.maxsize, timeout)));
    }
    return ticket;
  }

  /** Takes the oldest item. `timeout`: `undefined` waits forever, `0` does not wait. */
  get(waiter: GetWaiter<T>, timeout?: number): GetTicket<T> | undefined {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      const promoted = this.fillFreeSlots();
      waiter.delivered(item);
      if (promoted) for (const p of promoted) p.accepted();
      return undefined;
    }
    if (this.endedFlag) {
      waiter.ended();
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Empty(0));
      return undefined;
    }
    const ticket = this.getters.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.getters.expireAfter(ticket, timeout, this.scheduler, (w) => w.failed(new Empty(timeout)));
    }
    return ticket;
  }

  /** Withdraws a waiting put; `false` if it had already been settled. */
  cancelPut(ticket: PutTicket<T>): boolean {
    return this.putters.remove(ticket);
  }

  /** Withdraws a waiting get; `false` if it had already been settled. */
  cancelGet(ticket: GetTicket<T>): boolean {
    return this.getters.remove(ticket);
  }

  /**
   * Returns items that were taken but not consumed to the front of the queue,
   * in their original order. They were accepted once, so they come back even
   * when that briefly takes the queue over `maxsize`: nothing accepted is lost.
   */
  requeue(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.items.unshift(items[i] as T);
    while (this.items.length > 0 && this.getters.length > 0) {
      (this.getters.shift() as GetWaiter<T>).delivered(this.items.shift() as T);
    }
  }

  /**
   * Ends the stream for everyone: waiting and later puts fail with
   * `ClosedError`; getters drain what is left, then see `ended()`.
   */
  end(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    const refused = this.putters.drain();
    const finished = this.items.length === 0 ? this.getters.drain() : [];
    for (const p of refused) p.failed(new ClosedError('queue', 'queue has ended: no more puts'));
    for (const g of finished) g.ended();
  }

  /** Moves waiting putters' items into slots freed by a get. */
  private fillFreeSlots(): PutWaiter<T>[] | undefined {
    let promoted: PutWaiter<T>[] | undefined;
    while (this.putters.length > 0 && this.items.length < this.maxsize) {
      const p = this.putters.shift() as PutWaiter<T>;
      this.admitted?.();
      this.items.push(p.item);
      (promoted ??= []).push(p);
    }
    return promoted;
  }
}
