import { attemptsOf, itemOf, retried } from '../../../core/queue/attempted.js';
import type { GetTicket, GetWaiter } from '../../../core/queue/bounded-fifo.js';
import { ProtocolError } from '../../../errors.js';
import { encodeError } from '../../../wire/error-codec.js';
import { MAX_FETCH, type CallOp, type QueueRequest } from '../../../wire/protocol/queue.js';
import type { Link } from '../../link/link.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';
import { CHANNELS, publish } from '../../../diagnostics.js';
import { Credits } from './credits.js';
import { warnNoConsumer } from './no-consumer.js';
import { Session } from './session.js';

type Stored = unknown;
type LeasingWaiter = GetWaiter<Stored> & { ticket?: GetTicket<Stored> };

/**
 * Serves one queue to handles in other processes and threads, on top of the
 * owner's own state machine, one session per link (the protocol and its
 * invariants: `wire/protocol/queue.ts`). Credits let a producer put without
 * a round trip; leased items stay counted toward `maxsize` until acked; when
 * a link goes away, everything it held goes back to the front of the queue
 * (for a JoinableQueue, items it got but never marked done too).
 *
 * Every request is checked whole before any of it is applied: a broken peer
 * gets a `ProtocolError` (and loses its link), the queue is unchanged.
 */
export class QueueService {
  private readonly sessions = new Map<Link, Session<Stored>>();
  /** Descriptions in flight, by pin: the link that asked for each (none: the owner's own export). */
  private readonly pins = new Map<number, Link | undefined>();
  private nextPin = 1;
  private readonly stopWatchingEnd: () => void;
  private readonly credits: Credits;
  /** The no-consumer warning was given, and no consumer has fetched since. */
  private warnedNoConsumer = false;

  constructor(
    readonly id: string,
    private readonly local: LocalQueueEndpoint<unknown>,
    /** Told whenever the service may have become unused (see `unused`). */
    private readonly mayBeUnused: () => void,
  ) {
    this.credits = new Credits(id, local.fifo);
    this.stopWatchingEnd = local.onEnd(() => {
      for (const [link, s] of this.sessions) if (s.attached) link.send({ t: 'ended', q: this.id });
    });
  }

  private get fifo() {
    return this.local.fifo;
  }

  /** No session (nothing attached, held or awaited through any link) and no description in flight. */
  get unused(): boolean {
    return this.sessions.size === 0 && this.pins.size === 0;
  }

  /** Sessions open now (for the release rule's specs). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The service is being forgotten: it no longer follows its queue. */
  dispose(): void {
    this.stopWatchingEnd();
  }

  /** Pins the queue for a description about to leave (`link`: the runtime that asked; none: the owner). */
  pin(link?: Link): number {
    const pin = this.nextPin++;
    this.pins.set(pin, link);
    return pin;
  }

  /** The description of `pin` has landed, or never will. */
  unpin(pin: number): void {
    if (this.pins.delete(pin)) this.mayBeUnused();
  }

  handle(message: QueueRequest, link: Link): void {
    switch (message.t) {
      case 'attach':
        return this.attach(link, message.pin, message.word);
      case 'call':
        return this.call(link, message.rid, message.op);
      case 'unpin':
        return this.unpin(message.pin);
    }
    const s = this.sessions.get(link);
    switch (message.t) {
      case 'put':
        return this.credits.put(this.attached(s, 'put'), message.items);
      case 'want':
        return this.credits.want(this.attached(s, 'want'), link, message.n, message.try === true);
      case 'fetch':
        return this.fetch(this.attached(s, 'fetch'), link, message.n, message.try === true);
      case 'ack': {
        const session = this.known(s, 'ack');
        const hold = message.hold === true;
        session.checkLeasedRange('ack', message.tag, message.n);
        // Its dones may name tags this very ack holds (acks folded with the dones between them).
        if (message.done) session.checkHeld('done', message.done, hold || this.local.joinable ? message : undefined);
        this.ack(session, message.tag, message.n, hold);
        return message.done ? this.done(session, link, message.done) : undefined;
      }
      case 'giveback':
        return this.giveBack(this.known(s, 'giveback'), message.tags, 'giveback', link);
      case 'done':
        return this.done(this.known(s, 'done'), link, message.tags);
      case 'requeue':
        return this.requeue(this.known(s, 'requeue'), link, message.tags, message.failed);
    }
    // Withdrawals: harmless (and ignored) once the session is gone.
    if (!s) return;
    switch (message.t) {
      case 'refund':
        return this.credits.refund(s, message.n);
      case 'unwant':
        if (s.creditRequest) this.fifo.cancelPut(s.creditRequest);
        s.creditRequest = undefined;
        return;
      case 'unfetch': {
        const withdrawn = this.unfetch(s);
        if (s.attached) link.send({ t: 'unfetched', q: this.id, n: withdrawn });
        return;
      }
      case 'uncall':
        s.joins.get(message.rid)?.();
        s.joins.delete(message.rid);
        return this.forgetIfIdle(link, s);
      case 'detach':
        if (!s.attached) return;
        s.attached = false;
        this.withdraw(s, link);
        return this.forgetIfIdle(link, s);
    }
  }

  /**
   * The link is gone: everything it held goes back, nothing is lost.
   * `closingHere`: this runtime closed it (it is shutting down), so no
   * consumer died.
   */
  linkClosed(link: Link, closingHere = false): void {
    let pinned = false;
    for (const [pin, by] of this.pins) {
      if (by !== link) continue;
      this.pins.delete(pin);
      pinned = true;
    }
    const s = this.sessions.get(link);
    if (s) {
      this.sessions.delete(link);
      for (const cancel of s.joins.values()) cancel();
      // A consumer thread whose acks never came may still have handed items out (see HandOver).
      const handedUpTo = s.attached && s.word !== undefined ? (link.peerWords?.fence(s.word) ?? 0) : 0;
      if (handedUpTo > 0 && !this.local.joinable) this.fifo.release(s.dropHandedUpTo(handedUpTo));
      const leased = s.leased.size;
      this.withdraw(s, false);
      // A JoinableQueue's unfinished items are redelivered (at-least-once). A plain queue's
      // held items reached an application that is gone: redelivering them would be a duplicate.
      // Each was attempted, and the attempt did not finish it: its count goes up (poison items).
      const held = this.local.joinable ? s.held.size : 0;
      if (held > 0) this.fifo.requeue([...s.held.values()].map(retried));
      s.held.clear();
      if (leased + held > 0) this.published(leased + held, 'link-closed', link);
      if (!closingHere) this.warnIfNoConsumer(s, link, held + leased);
    }
    if (s || pinned) this.mayBeUnused();
  }

  private attach(link: Link, pin: number | undefined, word: number | undefined): void {
    let s = this.sessions.get(link);
    if (s?.attached) throw new ProtocolError(`a second attach to queue ${this.id} on one link`);
    if (!s) {
      s = new Session(this.id);
      this.sessions.set(link, s);
    }
    if (pin !== undefined) this.pins.delete(pin);
    s.attached = true;
    s.drainedSent = false;
    s.word = word;
    // Everything sent on this link for this queue before this answer was for an earlier attachment.
    link.send({ t: 'attached', q: this.id, tag: s.next });
    if (this.fifo.ended) link.send({ t: 'ended', q: this.id });
  }

  private attached(s: Session<Stored> | undefined, what: string): Session<Stored> {
    if (!s?.attached) throw new ProtocolError(`${what} for queue ${this.id} from a link with no handle attached`);
    return s;
  }

  private known(s: Session<Stored> | undefined, what: string): Session<Stored> {
    if (!s) throw new ProtocolError(`${what} for queue ${this.id} from a link that holds nothing of it`);
    return s;
  }

  private fetch(s: Session<Stored>, link: Link, n: number, tryOnly: boolean): void {
    s.consumer = true;
    this.warnedNoConsumer = false;
    if (tryOnly) return this.tryFetch(s, link, n);
    if (s.fetches.size + n > MAX_FETCH) {
      throw new ProtocolError(`fetch of ${n} items from queue ${this.id} with ${s.fetches.size} parked already (at most ${MAX_FETCH})`);
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
        link.sendItem('items', this.id, itemOf(stored), s.lease(stored), attemptsOf(stored));
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
    link.send(attempts ? { t: 'items', q: this.id, tag, items, attempts, try: true } : { t: 'items', q: this.id, tag, items, try: true });
  }

  /** Withdraws the parked fetches; returns how many there were. */
  private unfetch(s: Session<Stored>): number {
    const withdrawn = s.fetches.size;
    for (const ticket of s.fetches) this.fifo.cancelGet(ticket);
    s.fetches.clear();
    return withdrawn;
  }

  /** The leases `tag` … `tag + n - 1` reached the application: slots free; held if they may come back. */
  private ack(s: Session<Stored>, tag: number, n: number, hold: boolean): void {
    s.checkLeasedRange('ack', tag, n);
    const keep = hold || this.local.joinable;
    for (let i = tag; i < tag + n; i++) {
      if (keep) s.held.set(i, s.leased.get(i));
      s.leased.delete(i);
    }
    this.fifo.release(n);
  }

  /** These leases come back to the front, in delivery (tag) order. */
  private giveBack(s: Session<Stored>, tags: readonly number[], what: string, link?: Link): void {
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

  private done(s: Session<Stored>, link: Link, tags: readonly number[]): void {
    s.checkHeld('done', tags);
    for (const tag of tags) s.held.delete(tag);
    if (this.local.joinable) this.local.ledger.closed(tags.length);
    this.forgetIfIdle(link, s);
  }

  /** Held items back to the front, in the order named: the owner's own copies, untouched by the consumer. */
  private requeue(s: Session<Stored>, link: Link, tags: readonly number[], failed?: readonly number[]): void {
    s.checkHeld('requeue', tags);
    const failing = failed && failed.length > 0 ? new Set(failed) : undefined;
    if (failing) {
      for (const tag of failing)
        if (!tags.includes(tag))
          throw new ProtocolError(`requeue of queue ${this.id} names delivery ${tag} as failed but does not requeue it`);
    }
    const items = tags.map((tag) => (failing?.has(tag) ? retried(s.held.get(tag)) : s.held.get(tag)));
    for (const tag of tags) s.held.delete(tag);
    this.fifo.requeue(items);
    if (items.length > 0) this.published(items.length, failing ? 'failed' : 'returned', link);
    this.forgetIfIdle(link, s);
  }

  /**
   * The handle is gone (detached, or its link lost): refund credits, give
   * back leases, withdraw requests. `link`: tell the diagnostics channel of
   * what was given back (a lost link's caller tells it all at once).
   */
  private withdraw(s: Session<Stored>, link: Link | false): void {
    if (s.creditRequest) this.fifo.cancelPut(s.creditRequest);
    s.creditRequest = undefined;
    this.unfetch(s);
    if (s.credits > 0) this.fifo.refund(s.credits);
    s.credits = 0;
    if (s.leased.size > 0) this.giveBack(s, [...s.leased.keys()], 'detach', link || undefined);
  }

  /** Tells `rxmp:queue:redeliver` that `items` went back to the front, and why. */
  private published(items: number, reason: string, link: Link): void {
    publish(CHANNELS.queueRedeliver, () => ({ queue: this.id, items, reason, peer: link.peerId }));
  }

  /**
   * A consumer's link is gone: if it was the last consumer of a JoinableQueue
   * whose tasks are still open, and nobody here waits to take them, say so
   * (once, until a consumer fetches again): `join()` would wait in silence.
   */
  private warnIfNoConsumer(s: Session<Stored>, link: Link, redelivered: number): void {
    if (!this.local.joinable || !s.consumer || this.warnedNoConsumer) return;
    const unfinished = this.local.ledger.unfinished;
    if (unfinished === 0 || this.fifo.waitingGetters > 0) return;
    for (const other of this.sessions.values()) if (other.attached && other.consumer) return;
    this.warnedNoConsumer = true;
    warnNoConsumer(this.id, link.peerId, unfinished, this.fifo.size, redelivered);
  }

  private forgetIfIdle(link: Link, s: Session<Stored>): void {
    if (!s.idle || this.sessions.get(link) !== s) return;
    this.sessions.delete(link);
    this.mayBeUnused();
  }

  private call(link: Link, rid: number, op: CallOp): void {
    const reply = (value?: number) => link.send(value === undefined ? { t: 'reply', rid } : { t: 'reply', rid, value });
    switch (op) {
      case 'qsize':
        return reply(this.fifo.size);
      case 'full':
        return reply(this.fifo.hasFreeSlot ? 0 : 1);
      case 'flush':
        return reply();
      case 'unfinished':
        return reply(this.local.ledger.unfinished);
      case 'pin':
        return reply(this.pin(link));
      case 'end':
        void this.local.end();
        return reply();
      case 'join': {
        let s = this.sessions.get(link);
        if (!s) {
          s = new Session(this.id);
          this.sessions.set(link, s);
        }
        const session = s;
        let released = false;
        const cancel = this.local.join(() => {
          released = true;
          session.joins.delete(rid);
          reply();
          this.forgetIfIdle(link, session);
        });
        if (!released) session.joins.set(rid, cancel);
        else this.forgetIfIdle(link, session);
        return;
      }
      default:
        link.send({ t: 'reply', rid, error: encodeError(new ProtocolError(`unknown call ${JSON.stringify(op)}`)) });
    }
  }

  private sendDrained(s: Session<Stored>, link: Link): void {
    if (s.drainedSent) return;
    s.drainedSent = true;
    this.unfetch(s);
    link.send({ t: 'drained', q: this.id });
  }
}
