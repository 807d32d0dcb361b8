import type { CreditWaiter, GetTicket, GetWaiter, PutTicket } from '../../../core/queue/bounded-fifo.js';
import { ProtocolError } from '../../../errors.js';
import { encodeError } from '../../../wire/error-codec.js';
import type { QueueRequest } from '../../../wire/protocol/index.js';
import type { Link } from '../../link/link.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';

type Stored = unknown;


/** What the owner knows about one link's use of one queue. */
class Session {
  /** Slots reserved for this link's producer and not used yet. */
  credits = 0;
  creditRequest: PutTicket<Stored> | undefined;
  readonly fetches = new Set<GetTicket<Stored>>();
  /** Fetched and not yet acknowledged, by delivery tag, oldest first: still counted toward maxsize. */
  readonly leased = new Map<number, Stored>();
  /** JoinableQueue: acknowledged and not yet done, by tag (oldest first). */
  readonly held = new Map<number, Stored>();
  nextTag = 1;
  drainedSent = false;
  readonly joins = new Map<number, () => void>();
}

/**
 * Serves one queue to handles in other processes and threads, on top of the
 * owner's own state machine. Credits let a producer put without a round
 * trip; fetched items stay counted toward `maxsize` until acknowledged; when
 * a link goes away, everything it held goes back to the front of the queue
 * (for a JoinableQueue, items it got but never marked done too).
 */
export class QueueService {
  private readonly sessions = new Map<Link, Session>();

  constructor(
    readonly id: string,
    private readonly local: LocalQueueEndpoint<unknown>,
  ) {
    local.onEnd(() => {
      for (const link of this.sessions.keys()) link.send({ t: 'ended', q: this.id });
    });
  }

  private get fifo() {
    return this.local.fifo;
  }

  handle(message: QueueRequest, link: Link): void {
    const s = this.session(link);
    switch (message.t) {
      case 'put':
        if (message.items.length > s.credits) throw new ProtocolError(`put into queue ${this.id} without a credit`);
        s.credits -= message.items.length;
        for (const item of message.items) {
          if (!this.fifo.commit(item)) throw new ProtocolError(`put into queue ${this.id} without a reservation`);
        }
        return;
      case 'want':
        return this.want(s, link, message.n, message.try === true);
      case 'unwant':
        if (s.creditRequest) this.fifo.cancelPut(s.creditRequest);
        s.creditRequest = undefined;
        return;
      case 'refund': {
        const n = Math.min(message.n, s.credits);
        s.credits -= n;
        this.fifo.refund(n);
        return;
      }
      case 'fetch':
        return message.try ? this.tryFetch(s, link, message.n) : this.fetch(s, link, message.n);
      case 'unfetch':
        return this.unfetch(s);
      case 'ack':
        return this.ack(s, message.n);
      case 'giveback':
        return this.giveBack(s, message.tags);
      case 'done':
        for (const tag of message.tags) {
          if (!s.held.delete(tag)) throw new ProtocolError(`done for a delivery (${tag}) this link does not hold`);
          this.local.ledger.closed(1);
        }
        return;
      case 'requeue': {
        const items = message.items.map((item, i) => {
          const tag = message.tags[i] as number;
          const original = s.held.get(tag);
          s.held.delete(tag);
          // The owner's own copy is untouched by whatever the consumer did with its item.
          return original !== undefined ? original : item;
        });
        this.fifo.requeue(items);
        return;
      }
      case 'call':
        return this.call(s, link, message.rid, message.op);
      case 'uncall':
        s.joins.get(message.rid)?.();
        s.joins.delete(message.rid);
        return;
      case 'detach':
        return this.detach(s);
    }
  }

  /** The link is gone: everything it held goes back, nothing is lost. */
  linkClosed(link: Link): void {
    const s = this.sessions.get(link);
    if (!s) return;
    this.sessions.delete(link);
    for (const cancel of s.joins.values()) cancel();
    this.detach(s);
    if (s.held.size > 0) this.fifo.requeue([...s.held.values()]);
    s.held.clear();
  }

  private session(link: Link): Session {
    let s = this.sessions.get(link);
    if (!s) {
      s = new Session();
      this.sessions.set(link, s);
    }
    return s;
  }

  private want(s: Session, link: Link, n: number, tryOnly: boolean): void {
    const waiting = s.creditRequest;
    if (!tryOnly && waiting?.linked) {
      // One request in line per link: it just asks for more.
      (waiting.waiter as CreditWaiter).remaining += n;
      return;
    }
    const waiter: CreditWaiter = {
      remaining: n,
      granted: (slots) => {
        if (!tryOnly && waiter.remaining === 0) s.creditRequest = undefined;
        s.credits += slots;
        // Grants made within one turn fold into one credit message.
        if (tryOnly) link.send({ t: 'credit', q: this.id, n: slots, try: true });
        else link.sendCount('credit', this.id, slots);
      },
    };
    const ticket = this.fifo.want(waiter, tryOnly);
    if (ticket) s.creditRequest = ticket;
  }

  private leasingWaiter(s: Session, link: Link): GetWaiter<Stored> & { ticket?: GetTicket<Stored> } {
    const waiter: GetWaiter<Stored> & { ticket?: GetTicket<Stored> } = {
      leases: true,
      delivered: (item) => {
        if (waiter.ticket) s.fetches.delete(waiter.ticket);
        this.send(s, link, item);
      },
      failed: () => {},
      ended: () => {
        if (waiter.ticket) s.fetches.delete(waiter.ticket);
        this.sendDrained(s, link);
      },
    };
    return waiter;
  }

  private fetch(s: Session, link: Link, n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.leasingWaiter(s, link);
      const ticket = this.fifo.get(waiter);
      if (ticket) {
        waiter.ticket = ticket;
        s.fetches.add(ticket);
      }
      if (s.drainedSent) return;
    }
  }

  private tryFetch(s: Session, link: Link, n: number): void {
    const got: Stored[] = [];
    const waiter: GetWaiter<Stored> = { leases: true, delivered: (item) => got.push(item), failed() {}, ended() {} };
    for (let i = 0; i < n && got.length === i; i++) this.fifo.get(waiter, 0);
    const items = got.map((item) => this.lease(s, item));
    if (items.length === 0 && this.fifo.drained) this.sendDrained(s, link);
    link.send({ t: 'items', q: this.id, items, try: true });
  }

  private unfetch(s: Session): void {
    for (const ticket of s.fetches) this.fifo.cancelGet(ticket);
    s.fetches.clear();
  }

  /** The `n` oldest leases reached the application (a handle hands out its fetched items in order). */
  private ack(s: Session, n: number): void {
    if (n > s.leased.size) throw new ProtocolError(`ack for more items than were fetched from queue ${this.id}`);
    for (let i = 0; i < n; i++) {
      const [tag, item] = s.leased.entries().next().value as [number, Stored];
      s.leased.delete(tag);
      if (this.local.joinable) s.held.set(tag, item);
    }
    this.fifo.release(n);
  }

  /** These leases come back to the front, in delivery order; tags already taken back are ignored. */
  private giveBack(s: Session, tags: readonly number[]): void {
    const back: Stored[] = [];
    for (const tag of [...tags].sort((a, b) => a - b)) {
      if (!s.leased.has(tag)) continue;
      back.push(s.leased.get(tag));
      s.leased.delete(tag);
    }
    if (back.length > 0) this.fifo.giveBack(back);
  }

  private detach(s: Session): void {
    if (s.creditRequest) this.fifo.cancelPut(s.creditRequest);
    s.creditRequest = undefined;
    this.unfetch(s);
    if (s.credits > 0) this.fifo.refund(s.credits);
    s.credits = 0;
    if (s.leased.size > 0) this.giveBack(s, [...s.leased.keys()]);
  }

  private call(s: Session, link: Link, rid: number, op: string): void {
    const reply = (value?: number) => link.send(value === undefined ? { t: 'reply', rid } : { t: 'reply', rid, value });
    switch (op) {
      case 'qsize':
        return reply(this.fifo.size);
      case 'flush':
        return reply();
      case 'end':
        void this.local.end();
        return reply();
      case 'join': {
        let released = false;
        const cancel = this.local.join(() => {
          released = true;
          s.joins.delete(rid);
          reply();
        });
        if (!released) s.joins.set(rid, cancel);
        return;
      }
      default:
        link.send({ t: 'reply', rid, error: encodeError(new ProtocolError(`unknown call ${JSON.stringify(op)}`)) });
    }
  }

  /** Leases `item` to this link and adds it to the link's next `items` message. */
  private send(s: Session, link: Link, item: Stored): void {
    link.sendItem('items', this.id, this.lease(s, item));
  }

  private lease(s: Session, item: Stored): Stored {
    s.leased.set(s.nextTag++, item);
    return item;
  }

  private sendDrained(s: Session, link: Link): void {
    if (s.drainedSent) return;
    s.drainedSent = true;
    this.unfetch(s);
    link.send({ t: 'drained', q: this.id });
  }
}
