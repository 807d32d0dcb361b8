import { retried } from '../../../core/queue/attempted.js';
import { ProtocolError } from '../../../errors.js';
import { decodeError, encodeError, type ErrorInfo } from '../../../wire/error-codec.js';
import type { CallOp, EndedMsg, QueueRequest } from '../../../wire/protocol/queue.js';
import type { Link } from '../../link/link.js';
import type { LocalQueueEndpoint } from './local-queue-endpoint.js';
import { Credits } from './credits.js';
import { Leases } from './leases.js';
import { NO_CONSUMER_GRACE_MS, warnNoConsumer } from './no-consumer.js';
import { Session } from './session.js';

type Stored = unknown;

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
  private readonly leases: Leases;
  /** The no-consumer warning was given, and no consumer has fetched since. */
  private warnedNoConsumer = false;

  constructor(
    readonly id: string,
    private readonly local: LocalQueueEndpoint<unknown>,
    /** Told whenever the service may have become unused (see `unused`). */
    private readonly mayBeUnused: () => void,
  ) {
    this.credits = new Credits(id, local.fifo);
    this.leases = new Leases(id, local, {
      fetched: () => {
        this.warnedNoConsumer = false;
      },
      forgetIfIdle: (link, s) => this.forgetIfIdle(link, s),
    });
    this.stopWatchingEnd = local.onEnd(() => {
      const ended = this.endedMessage();
      for (const [link, s] of this.sessions) if (s.attached) link.send(ended);
    });
  }

  /** `ended`, with the error the queue ended on, if any (encoded once for every session). */
  private endedMessage(): EndedMsg {
    const error = this.local.endError;
    return error ? { t: 'ended', q: this.id, error: encodeError(error) } : { t: 'ended', q: this.id };
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
    clearTimeout(this.noConsumerTimer);
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
        return this.attach(link, message.pin, message.word, message.where);
      case 'call':
        return this.call(link, message.rid, message.op, message.error);
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
        return this.leases.fetch(this.attached(s, 'fetch'), link, message.n, message.try === true);
      case 'ack': {
        const session = this.known(s, 'ack');
        const hold = message.hold === true;
        session.checkLeasedRange('ack', message.tag, message.n);
        // Its dones may name tags this very ack holds (acks folded with the dones between them).
        if (message.done) session.checkHeld('done', message.done, hold || this.local.joinable ? message : undefined);
        this.leases.ack(session, message.tag, message.n, hold);
        return message.done ? this.leases.done(session, link, message.done) : undefined;
      }
      case 'giveback':
        return this.leases.giveBack(this.known(s, 'giveback'), message.tags, 'giveback', link);
      case 'done':
        return this.leases.done(this.known(s, 'done'), link, message.tags);
      case 'requeue':
        return this.leases.requeue(this.known(s, 'requeue'), link, message.tags, message.failed);
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
        const withdrawn = this.leases.unfetch(s);
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
      if (leased + held > 0) this.leases.published(leased + held, 'link-closed', link);
      if (!closingHere) this.warnIfNoConsumer(s, link, held + leased);
    }
    if (s || pinned) this.mayBeUnused();
  }

  private attach(link: Link, pin: number | undefined, word: number | undefined, where: string | undefined): void {
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
    s.where = where;
    // Everything sent on this link for this queue before this answer was for an earlier attachment.
    link.send({ t: 'attached', q: this.id, tag: s.next });
    if (this.fifo.ended) link.send(this.endedMessage());
  }

  private attached(s: Session<Stored> | undefined, what: string): Session<Stored> {
    if (!s?.attached) throw new ProtocolError(`${what} for queue ${this.id} from a link with no handle attached`);
    return s;
  }

  private known(s: Session<Stored> | undefined, what: string): Session<Stored> {
    if (!s) throw new ProtocolError(`${what} for queue ${this.id} from a link that holds nothing of it`);
    return s;
  }

  /**
   * The handle is gone (detached, or its link lost): refund credits, give
   * back leases, withdraw requests. `link`: tell the diagnostics channel of
   * what was given back (a lost link's caller tells it all at once).
   */
  private withdraw(s: Session<Stored>, link: Link | false): void {
    if (s.creditRequest) this.fifo.cancelPut(s.creditRequest);
    s.creditRequest = undefined;
    this.leases.unfetch(s);
    if (s.credits > 0) this.fifo.refund(s.credits);
    s.credits = 0;
    if (s.leased.size > 0) this.leases.giveBack(s, [...s.leased.keys()], 'detach', link || undefined);
  }

  /**
   * A consumer's link is gone: if it was the last consumer of a JoinableQueue
   * whose tasks are still open, and the owner's own handle is not consuming,
   * say so (once, until a consumer fetches again): `join()` would wait in
   * silence. A supervisor may start a replacement at once, so it is said only
   * if still no consumer has come after `NO_CONSUMER_GRACE_MS`.
   */
  private warnIfNoConsumer(s: Session<Stored>, link: Link, redelivered: number): void {
    if (!this.local.joinable || !s.consumer || this.warnedNoConsumer || this.noConsumerTimer || !this.lacksConsumer()) return;
    const who = s.where ?? (link.peerId && `runtime ${link.peerId}`);
    this.noConsumerTimer = setTimeout(() => {
      this.noConsumerTimer = undefined;
      if (this.warnedNoConsumer || !this.lacksConsumer()) return;
      this.warnedNoConsumer = true;
      warnNoConsumer(this.id, who, this.local.ledger.unfinished, this.fifo.size, redelivered);
    }, NO_CONSUMER_GRACE_MS);
    // Nothing to say if the process ends meanwhile: it then waits for nothing.
    this.noConsumerTimer.unref();
  }

  private noConsumerTimer: NodeJS.Timeout | undefined;

  /** Tasks are open and nobody consumes: no consumer attached elsewhere, and the owner's own handle takes nothing. */
  private lacksConsumer(): boolean {
    if (this.local.ledger.unfinished === 0 || this.local.consuming) return false;
    for (const other of this.sessions.values()) if (other.attached && other.consumer) return false;
    return true;
  }

  private forgetIfIdle(link: Link, s: Session<Stored>): void {
    if (!s.idle || this.sessions.get(link) !== s) return;
    this.sessions.delete(link);
    this.mayBeUnused();
  }

  private call(link: Link, rid: number, op: CallOp, error: ErrorInfo | undefined): void {
    if (error !== undefined && op !== 'end') throw new ProtocolError(`an error sent with call ${op} on queue ${this.id}`);
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
        return reply(this.local.endNow(error && decodeError(error)) ? 1 : 0);
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
}
