import type { SchedulerLike } from 'rxjs';
import { ClosedError, Empty, Full } from '../../errors.js';
import { Deque } from '../collections/deque.js';
import { NOTHING, type BoundedFifoHooks, type CreditWaiter, type GetWaiter, type Putter, type PutWaiter } from './fifo-waiters.js';
import { WaitList, type WaitNode } from '../collections/wait-list.js';

export { NOTHING } from './fifo-waiters.js';
export type { BoundedFifoHooks, CreditWaiter, GetWaiter, PutWaiter } from './fifo-waiters.js';

export type PutTicket<T> = WaitNode<Putter<T>>;
export type GetTicket<T> = WaitNode<GetWaiter<T>>;

/**
 * The bounded FIFO at the heart of every queue: items, waiting putters and
 * waiting getters, with deadlines taken from an RxJS scheduler.
 *
 * Slots are occupied by queued items, by slots reserved for remote producers
 * (credits), and by items leased to remote consumers (prefetched, not yet
 * acknowledged): `occupied ≤ maxsize` always, except briefly after `requeue`.
 *
 * Everything is synchronous. A call that can complete at once calls its
 * waiter before returning and returns `undefined`; otherwise it returns a
 * ticket to cancel with. Cancelling is atomic: a waiter is either settled or
 * still waiting, never both, so a cancelled get never loses an item.
 */
export class BoundedFifo<T> {
  /** `Infinity` for an unbounded queue. */
  readonly maxsize: number;
  private readonly scheduler: SchedulerLike;
  private readonly items = new Deque<T>();
  private readonly putters = new WaitList<Putter<T>>();
  private readonly getters = new WaitList<GetWaiter<T>>();
  private reservedSlots = 0;
  private leasedItems = 0;
  private endedFlag = false;
  private readonly admitted: ((item: T) => void) | undefined;

  constructor(maxsize: number, scheduler: SchedulerLike, hooks: BoundedFifoHooks<T> = {}) {
    this.maxsize = maxsize;
    this.scheduler = scheduler;
    this.admitted = hooks.admitted;
  }

  /** Items accepted and not yet handed to an application: queued plus leased. */
  get size(): number {
    return this.items.length + this.leasedItems;
  }

  /** Slots in use: queued, reserved and leased. */
  get occupied(): number {
    return this.items.length + this.reservedSlots + this.leasedItems;
  }

  /** No slot is free: a put would wait. */
  get full(): boolean {
    return this.occupied >= this.maxsize;
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  get reserved(): number {
    return this.reservedSlots;
  }

  get leased(): number {
    return this.leasedItems;
  }

  /** Callers currently waiting for an item. */
  get waitingGetters(): number {
    return this.getters.length;
  }

  /** Callers (local puts and credit requests) currently waiting for a slot. */
  get waitingPutters(): number {
    return this.putters.length;
  }

  /**
   * Puts `waiter.item`, handing it straight to the oldest waiting getter if
   * there is one. `timeout`: `undefined` waits forever, `0` does not wait.
   */
  put(waiter: PutWaiter<T>, timeout?: number): PutTicket<T> | undefined {
    if (this.endedFlag) {
      waiter.failed(endedForPuts());
      return undefined;
    }
    if (this.offer(waiter.item)) {
      waiter.accepted();
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Full(this.maxsize, 0));
      return undefined;
    }
    const ticket = this.putters.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.putters.expireAfter(ticket, timeout, this.scheduler, (w) => (w as PutWaiter<T>).failed(new Full(this.maxsize, timeout)));
    }
    return ticket;
  }

  /** Whether a put would be accepted at once (nothing is changed). */
  get canAccept(): boolean {
    return !this.endedFlag && this.hasRoomForLocalPut;
  }

  /** Whether a local put would find room now, the end aside: a local getter waits, or a slot is free. */
  get hasRoomForLocalPut(): boolean {
    const getter = this.getters.peek();
    // A local getter takes the item without it ever occupying a slot.
    return (getter !== undefined && !getter.leases) || this.hasFreeSlot;
  }

  /** A slot is free and nobody waits in line for one: a credit request would be granted now. */
  get hasFreeSlot(): boolean {
    return this.putters.length === 0 && this.occupied < this.maxsize;
  }

  /** Accepts `item` if it can be at once; `false`, with nothing changed, if it would have to wait. */
  offer(item: T): boolean {
    if (!this.canAccept) return false;
    this.admit(item);
    return true;
  }

  /**
   * Takes the oldest item at once for a local consumer, or a put that waits
   * only for a slot; `NOTHING`, with nothing changed, if it would have to wait.
   */
  takeNow(): T | typeof NOTHING {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      this.fillFreeSlots();
      return item;
    }
    const putter = this.takeWaitingPut();
    if (!putter) return NOTHING;
    putter.accepted();
    return putter.item;
  }

  /**
   * Reserves up to `waiter.wanted` slots for a remote producer, at once if
   * any are free and nobody is ahead in line; otherwise it waits its turn.
   * `tryOnly`: grant what is free now, possibly nothing, and never wait.
   */
  want(waiter: CreditWaiter, tryOnly = false): PutTicket<T> | undefined {
    const free = this.putters.length === 0 && !this.endedFlag ? this.maxsize - this.occupied : 0;
    const slots = Math.max(0, Math.min(free, waiter.remaining));
    this.reservedSlots += slots;
    waiter.remaining -= slots;
    if (tryOnly || this.endedFlag || waiter.remaining === 0) {
      waiter.granted(slots);
      return undefined;
    }
    const ticket = this.putters.push(waiter);
    if (slots > 0) waiter.granted(slots);
    return ticket;
  }

  /** Puts an item into a slot reserved earlier; `false` if there is no reservation to use. */
  commit(item: T): boolean {
    if (this.reservedSlots === 0) return false;
    this.reservedSlots--;
    this.admit(item);
    this.fillFreeSlots();
    return true;
  }

  /** Gives back `count` reserved slots that were not used. */
  refund(count: number): void {
    this.reservedSlots -= Math.min(count, this.reservedSlots);
    this.fillFreeSlots();
  }

  /** Takes the oldest item. `timeout`: `undefined` waits forever, `0` does not wait. */
  get(waiter: GetWaiter<T>, timeout?: number): GetTicket<T> | undefined {
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      if (waiter.leases) this.leasedItems++;
      waiter.delivered(item);
      this.fillFreeSlots();
      return undefined;
    }
    if (!waiter.leases) {
      // No item queued, but a put may be waiting only for a slot (behind credit
      // requests, which hold no item); a local getter needs no slot.
      const putter = this.takeWaitingPut();
      if (putter) {
        waiter.delivered(putter.item);
        putter.accepted();
        return undefined;
      }
    }
    if (this.drained) {
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

  /** Withdraws a waiting put or credit request; `false` if it had already been settled. */
  cancelPut(ticket: PutTicket<T>): boolean {
    const removed = this.putters.remove(ticket);
    // A withdrawn head may have been holding back a credit request behind it.
    if (removed) this.fillFreeSlots();
    return removed;
  }

  /** Withdraws a waiting get; `false` if it had already been settled. */
  cancelGet(ticket: GetTicket<T>): boolean {
    const removed = this.getters.remove(ticket);
    // A withdrawn leasing get may have been holding back a local one behind it.
    if (removed) this.fillFreeSlots();
    return removed;
  }

  /** `count` leased items reached their application: their slots are free. */
  release(count: number): void {
    this.leasedItems -= Math.min(count, this.leasedItems);
    this.fillFreeSlots();
  }

  /**
   * Ended, nothing queued, nothing leased and nothing reserved: no item can
   * appear any more. (A leased item may still come back to the front, and a
   * reserved slot may still be filled by a put accepted before the end, so
   * an ended queue is not drained while any is out.)
   */
  get drained(): boolean {
    return this.endedFlag && this.items.length === 0 && this.leasedItems === 0 && this.reservedSlots === 0;
  }

  /** Leased items that were not used go back to the front, in order (their slots stay taken). */
  giveBack(items: readonly T[]): void {
    this.leasedItems -= Math.min(items.length, this.leasedItems);
    this.requeue(items);
  }

  /**
   * Returns items that were taken but not consumed to the front of the queue,
   * in their original order. They were accepted once, so they come back even
   * when that briefly takes the queue over `maxsize`: nothing accepted is lost.
   */
  requeue(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.items.unshift(items[i] as T);
    while (this.items.length > 0 && this.getters.length > 0) {
      const getter = this.getters.shift() as GetWaiter<T>;
      if (getter.leases) this.leasedItems++;
      getter.delivered(this.items.shift() as T);
    }
    this.fillFreeSlots();
  }

  /**
   * Ends the stream for everyone: waiting and later puts fail with
   * `ClosedError`, credit requests get nothing; getters drain what is left,
   * then see `ended()`.
   */
  end(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    const refused = this.putters.drain();
    const finished = this.drained ? this.getters.drain() : [];
    for (const p of refused) {
      if ('item' in p) p.failed(endedForPuts());
      else {
        p.remaining = 0;
        p.granted(0);
      }
    }
    for (const g of finished) g.ended();
  }

  /** Accepts an item: to the oldest getter if one waits, else to the back of the queue. */
  private admit(item: T): void {
    this.admitted?.(item);
    const getter = this.getters.shift();
    if (!getter) {
      this.items.push(item);
      return;
    }
    if (getter.leases) this.leasedItems++;
    getter.delivered(item);
  }

  /** Gives freed slots to whoever waits for one, in line order. */
  private fillFreeSlots(): void {
    while (this.putters.length > 0 && this.occupied < this.maxsize) {
      const head = this.putters.peek() as Putter<T>;
      if ('item' in head) {
        this.putters.shift();
        this.admit(head.item);
        head.accepted();
      } else {
        // A credit request keeps its place until it has all it asked for.
        const slots = Math.min(this.maxsize - this.occupied, head.remaining);
        this.reservedSlots += slots;
        head.remaining -= slots;
        if (head.remaining === 0) this.putters.shift();
        head.granted(slots);
      }
    }
    // A local getter needs no slot: once first in line, it takes a put waiting only for one.
    for (let head = this.getters.peek(); head !== undefined && !head.leases; head = this.getters.peek()) {
      const putter = this.takeWaitingPut();
      if (!putter) break;
      this.getters.shift();
      head.delivered(putter.item);
      putter.accepted();
    }
    if (this.drained && this.getters.length > 0) {
      for (const g of this.getters.drain()) g.ended();
    }
  }

  /** The oldest put waiting (only for a slot), out of line and admitted, for a local getter. */
  private takeWaitingPut(): PutWaiter<T> | undefined {
    const node = this.putters.find((p) => 'item' in p);
    if (!node) return undefined;
    this.putters.remove(node);
    const putter = node.waiter as PutWaiter<T>;
    this.admitted?.(putter.item);
    return putter;
  }
}

function endedForPuts(): ClosedError {
  return new ClosedError('queue', 'queue has ended: no more puts');
}
