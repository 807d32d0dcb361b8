import { attemptsOf, itemOf, retried } from '../../../core/queue/attempted.js';
import type { GetTicket, GetWaiter } from '../../../core/queue/bounded-fifo.js';
import { CHANNELS, publish } from '../../../diagnostics.js';
import { ProtocolError } from '../../../errors.js';
import { MAX_FETCH } from '../../../wire/protocol/queue.js';
import type { Link } from '../../link/link.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';
import type { Session } from './session.js';

type Stored = unknown;
type LeasingWaiter = GetWaiter<Stored> & { ticket?: GetTicket<Stored> };

/** What the consuming half needs from the service it is part of. */
export interface LeaseHost {
  /** A handle fetched: the queue has a consumer again. */
  fetched(): void;
  /** `s` may hold nothing any more: the service may forget it. */
  forgetIfIdle(link: Link, s: Session<Stored>): void;
}

/**
 * The consuming half of the queue protocol at the owner: fetches park
 * leasing waiters in the FIFO; a leased item stays counted toward `maxsize`
 * until acked (then held, if it may come back) or given back; held items
 * end as done or go back by requeue. Items are stored with their attempt
 * counts (see `attempted.ts`), which go out with them in `items`.
 */
export class Leases {
  constructor(
    private readonly queue: string,
    private readonly local: LocalQueueEndpoint<unknown>,
    private readonly host: LeaseHost,
  ) {}

  private get fifo() {
    return this.local.fifo;
  }

  fetch(s: Session<Stored>, link: Link, n: number, tryOnly: boolean): void {
    s.consumer = true;
    this.host.fetched();
    if (tryOnly) return this.tryFetch(s, link, n);
    if (s.fetches.size + n > MAX_FETCH) {
      throw new ProtocolError(`fetch of ${n} items from queue ${this.queue} with ${s.fetches.size} parked already (at most ${MAX_FETCH})`);
    }
    for (let i = 0; i < n && !s.drainedSent; i++) {
      const waiter = this.leasingWaiter(s, link);
      const ticket = this.fifo.get(waiter);
      if (ticket) {
        waiter.ticket = ticket;
        s.fetches.add(ticket);
      }
    }
  }

  private leasingWaiter(s: Session<Stored>, link: Link): LeasingWaiter {
    const waiter: LeasingWaiter = {
      leases: true,
      delivered: (stored) => {
        if (waiter.ticket) s.fetches.delete(waiter.ticket);
        // Leases go out in tag order, so consecutive ones fold into one `items` message.
        // The session keeps what was stored (with its attempt count) for a give-back or requeue.
        link.sendItem('items', this.queue, itemOf(stored), s.lease(stored), attemptsOf(stored));
      },
      failed: () => {},
      ended: () => {
        if (waiter.ticket) s.fetches.delete(waiter.ticket);
        this.sendDrained(s, link);
      },
    };
    return waiter;
  }

  private tryFetch(s: Session<Stored>, link: Link, n: number): void {
    const got: Stored[] = [];
    const waiter: GetWaiter<Stored> = { leases: true, delivered: (item) => got.push(item), failed() {}, ended() {} };
    for (let i = 0; i < n && got.length === i; i++) this.fifo.get(waiter, 0);
    const tag = s.next;
    for (const stored of got) s.lease(stored);
    if (got.length === 0 && this.fifo.drained) this.sendDrained(s, link);
    const attempts = got.some((stored) => attemptsOf(stored) > 0) ? got.map(attemptsOf) : undefined;
    const items = attempts ? got.map(itemOf) : got;
    link.send(
      attempts ? { t: 'items', q: this.queue, tag, items, attempts, try: true } : { t: 'items', q: this.queue, tag, items, try: true },
    );
  }

  /** Withdraws the parked fetches; returns how many there were. */
  unfetch(s: Session<Stored>): number {
    const withdrawn = s.fetches.size;
    for (const ticket of s.fetches) this.fifo.cancelGet(ticket);
    s.fetches.clear();
    return withdrawn;
  }

  /** The leases `tag` … `tag + n - 1` reached the application: slots free; held if they may come back. */
  ack(s: Session<Stored>, tag: number, n: number, hold: boolean): void {
    s.checkLeasedRange('ack', tag, n);
    const keep = hold || this.local.joinable;
    for (let i = tag; i < tag + n; i++) {
      if (keep) s.held.set(i, s.leased.get(i));
      s.leased.delete(i);
    }
    this.fifo.release(n);
  }

  /** These leases come back to the front, in delivery (tag) order. */
  giveBack(s: Session<Stored>, tags: readonly number[], what: string, link?: Link): void {
    s.checkLeased(what, tags);
    const back: Stored[] = [];
    for (const tag of [...tags].sort((a, b) => a - b)) {
      back.push(s.leased.get(tag));
      s.leased.delete(tag);
    }
    if (back.length === 0) return;
    this.fifo.giveBack(back);
    if (link) this.published(back.length, what === 'giveback' ? 'unused' : 'detached', link);
  }

  done(s: Session<Stored>, link: Link, tags: readonly number[]): void {
    s.checkHeld('done', tags);
    for (const tag of tags) s.held.delete(tag);
    if (this.local.joinable) this.local.ledger.closed(tags.length);
    this.host.forgetIfIdle(link, s);
  }

  /** Held items back to the front, in the order named: the owner's own copies, untouched by the consumer. */
  requeue(s: Session<Stored>, link: Link, tags: readonly number[], failed?: readonly number[]): void {
    s.checkHeld('requeue', tags);
    const failing = failed && failed.length > 0 ? new Set(failed) : undefined;
    if (failing) {
      for (const tag of failing)
        if (!tags.includes(tag))
          throw new ProtocolError(`requeue of queue ${this.queue} names delivery ${tag} as failed but does not requeue it`);
    }
    const items = tags.map((tag) => (failing?.has(tag) ? retried(s.held.get(tag)) : s.held.get(tag)));
    for (const tag of tags) s.held.delete(tag);
    this.fifo.requeue(items);
    if (items.length > 0) this.published(items.length, failing ? 'failed' : 'returned', link);
    this.host.forgetIfIdle(link, s);
  }

  sendDrained(s: Session<Stored>, link: Link): void {
    if (s.drainedSent) return;
    s.drainedSent = true;
    this.unfetch(s);
    link.send({ t: 'drained', q: this.queue });
  }

  /** Tells `rxmp:queue:redeliver` that `items` went back to the front, and why. */
  published(items: number, reason: string, link: Link): void {
    publish(CHANNELS.queueRedeliver, () => ({ queue: this.queue, items, reason, peer: link.peerId }));
  }
}
