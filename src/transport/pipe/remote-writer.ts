import type { SchedulerLike } from 'rxjs';
import { sizeOf, ValueMessage, type Outgoing, type PipeMessage, type SendTicket, type SendWaiter } from '../../core/pipe/pipe-channel.js';
import { Deque } from '../../core/collections/deque.js';
import { WaitList } from '../../core/collections/wait-list.js';
import { ClosedError, Full } from '../../errors.js';
import { decodeError, encodeError, type ErrorInfo } from '../../wire/error-codec.js';
import type { Link } from '../link/link.js';

/** A pipe message in a form that survives being copied to another runtime: a value and its size, or bytes. */
export type PortableMessage = { v: unknown; s: number } | { b: Uint8Array };

export function portable(message: PipeMessage): PortableMessage {
  return message instanceof Uint8Array ? { b: message } : { v: message.value, s: message.size };
}

export function fromPortable(p: PortableMessage): PipeMessage {
  return 'b' in p ? p.b : new ValueMessage(p.v, p.s);
}

/** A message sent and not yet consumed by the reader (kept to resend if the reader moves). */
export interface SentEntry {
  readonly seq: number;
  readonly size: number;
  /** Absent for messages the reader is known to hold already (taken over from a local pair). */
  readonly message?: PortableMessage;
  readonly end?: { error?: ErrorInfo };
}

/** Not sent yet: a message or the end of the stream. */
export type UnsentEntry = { message: PortableMessage } | { end: true; error?: ErrorInfo };

/** What a writer carries when its end moves to another runtime. */
export interface WriterState {
  nextSeq: number;
  sent: SentEntry[];
  unsent: UnsentEntry[];
  /** How many messages the reader's home is known to have received (so a settled writer stays settled). */
  received?: number;
  /** The reader closed (broken pipe, with this reason): the writer fails at its new home too, without waiting to be told again. */
  broken?: string;
}

/**
 * Sends one direction of a pipe to a reader in another runtime. Messages are
 * numbered; the reader's acks say how far it has consumed, so the writer
 * knows exactly how much of the window is in use (a message goes out when it
 * fits, or when nothing is outstanding). Until the reader's home says hello,
 * and while the reader is moving, sends wait; on hello, whatever the reader
 * has not received is sent again. `settled()` tells when the reader's home
 * has received everything sent (so a writer that then exits has lost nothing
 * on the way).
 */
export class RemoteWriter {
  private link: Link | undefined;
  private failure: Error | undefined;
  private nextSeq: number;
  private readonly sent = new Deque<SentEntry>();
  private sentBytes = 0;
  private readonly queue = new WaitList<SendWaiter>();
  /** How many messages the reader's home has received (by sequence number). */
  private received = 0;
  /** Waiting for the reader's home to have received everything sent. */
  private settleWaiters: (() => void)[] = [];
  /** Waiting until nothing is left to send either (see `whenDone`). */
  private doneWaiters: (() => void)[] = [];

  constructor(
    readonly pipe: string,
    /** The end this writer sends to. */
    readonly readerEnd: number,
    readonly window: number,
    private readonly scheduler: SchedulerLike,
    state?: WriterState,
  ) {
    this.nextSeq = state?.nextSeq ?? 1;
    this.received = state?.received ?? 0;
    if (state?.broken !== undefined) this.failure = new ClosedError('peer', state.broken);
    for (const entry of state?.sent ?? []) {
      this.sent.push(entry);
      this.sentBytes += entry.size;
    }
    // Sends made before the end moved go first; their callers were answered already.
    for (const entry of state?.unsent ?? []) {
      const outgoing: Outgoing =
        'message' in entry ? { message: fromPortable(entry.message) } : { end: true, error: entry.error && decodeError(entry.error) };
      this.queue.push({ outgoing, accepted() {}, failed() {} });
    }
  }

  /** The reader's home has not said hello yet, or its end is moving. */
  get bound(): boolean {
    return this.link !== undefined;
  }

  get boundLink(): Link | undefined {
    return this.link;
  }

  send(waiter: SendWaiter, timeout?: number): SendTicket | undefined {
    if (this.failure) {
      waiter.failed(this.failure);
      return undefined;
    }
    if (this.queue.length === 0 && this.fits(waiter.outgoing)) {
      this.transmit(waiter.outgoing);
      this.accept(waiter);
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Full(this.window, 0, 'peer window is full'));
      return undefined;
    }
    const ticket = this.queue.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.queue.expireAfter(ticket, timeout, this.scheduler, (w) => {
        w.failed(new Full(this.window, timeout, `peer window stayed full for ${timeout} ms`));
        this.checkDone();
      });
    }
    return ticket;
  }

  trySend(message: PipeMessage): boolean {
    if (this.failure || this.queue.length > 0) return false;
    const outgoing = { message };
    if (!this.fits(outgoing)) return false;
    const link = this.link as Link;
    if (link.writesThrough) {
      // Straight into shared memory, or the usual way (resolving once it is out, see `accept`).
      if (!link.trySendThrough(this.pipe, this.readerEnd, this.nextSeq, message)) return false;
      this.record(outgoing);
      return true;
    }
    this.transmit(outgoing);
    return true;
  }

  cancelSend(ticket: SendTicket): boolean {
    const removed = this.queue.remove(ticket);
    if (removed) this.pump();
    this.checkDone();
    return removed;
  }

  /** The reader's home said hello on `link`: resend what it has not received, then go on. */
  bind(link: Link, received: number, consumed: number): void {
    if (this.failure) return;
    this.link = link;
    this.arrived(received);
    this.release(consumed);
    for (const entry of this.sent) {
      if (entry.seq <= received) continue;
      if (!entry.message && !entry.end) continue; // the reader holds it already
      this.write(entry);
    }
    this.pump();
    this.checkDone();
  }

  /** The reader acknowledged: messages up to `received` are there, those up to `consumed` free their room. */
  acked(received: number, consumed: number): void {
    this.arrived(received);
    this.release(consumed);
    this.pump();
    this.checkDone();
  }

  /** The reader is moving: send nothing until its new home says hello. */
  hold(): void {
    this.link = undefined;
  }

  /** The reader is gone (closed, or its process died): waiting and later sends fail with `error`. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.link = undefined;
    this.settle();
    for (const w of this.queue.drain()) w.failed(error);
    this.checkDone();
  }

  /** Hands this writer's state over to the runtime its end moves to; waiting sends count as accepted. */
  capture(): WriterState {
    const waiting = this.queue.drain();
    const state: WriterState = {
      nextSeq: this.nextSeq,
      sent: [...this.sent],
      unsent: waiting.map((w) =>
        'message' in w.outgoing
          ? { message: portable(w.outgoing.message) }
          : { end: true as const, error: w.outgoing.error && encodeError(w.outgoing.error) },
      ),
      received: this.received,
      ...(this.failure ? { broken: this.failure.message } : {}),
    };
    this.failure = new ClosedError('connection', 'this end moved to another process');
    this.link = undefined;
    this.settle(); // what is unconfirmed goes along with the state: the new home resends it if need be
    for (const w of waiting) w.accepted();
    this.checkDone();
    return state;
  }

  private fits(outgoing: Outgoing): boolean {
    if (!this.link) return false;
    if (!('message' in outgoing)) return true;
    return this.sentBytes === 0 || this.sentBytes + sizeOf(outgoing.message) <= this.window;
  }

  /**
   * Resolves once the reader's home has received everything sent so far
   * (sends still waiting for room are not sent yet), or this writer failed
   * or moved on with its end.
   */
  settled(): Promise<void> {
    if (this.failure || this.received >= this.nextSeq - 1) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /**
   * Resolves once this writer owes the reader nothing: no send waits for
   * room and the reader's home has received everything sent (the end
   * included), or the writer failed or moved on with its end.
   */
  whenDone(): Promise<void> {
    if (this.isDone()) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  private isDone(): boolean {
    return this.failure !== undefined || (this.queue.length === 0 && this.received >= this.nextSeq - 1);
  }

  private checkDone(): void {
    if (this.doneWaiters.length === 0 || !this.isDone()) return;
    const waiters = this.doneWaiters;
    this.doneWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private arrived(received: number): void {
    this.received = Math.max(this.received, received);
    if (this.received >= this.nextSeq - 1) this.settle();
  }

  private settle(): void {
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private transmit(outgoing: Outgoing): void {
    this.write(this.record(outgoing));
  }

  /** Numbers `outgoing` and keeps it until the reader has consumed it (to resend if the reader moves). */
  private record(outgoing: Outgoing): SentEntry {
    const seq = this.nextSeq++;
    const entry: SentEntry =
      'message' in outgoing
        ? { seq, size: sizeOf(outgoing.message), message: portable(outgoing.message) }
        : { seq, size: 0, end: outgoing.error ? { error: encodeError(outgoing.error) } : {} };
    this.sent.push(entry);
    this.sentBytes += entry.size;
    return entry;
  }

  private write(entry: SentEntry): void {
    const link = this.link as Link;
    if (entry.end) {
      link.send(
        entry.end.error
          ? { t: 'pend', p: this.pipe, e: this.readerEnd, seq: entry.seq, error: entry.end.error }
          : { t: 'pend', p: this.pipe, e: this.readerEnd, seq: entry.seq },
      );
    } else {
      const message = entry.message as PortableMessage;
      link.send(
        'b' in message
          ? { t: 'pdata', p: this.pipe, e: this.readerEnd, seq: entry.seq, data: [message.b], raw: [0] }
          : { t: 'pdata', p: this.pipe, e: this.readerEnd, seq: entry.seq, data: [message.v] },
      );
    }
  }

  private release(consumed: number): void {
    for (let head = this.sent.peek(); head && head.seq <= consumed; head = this.sent.peek()) {
      this.sent.shift();
      this.sentBytes -= head.size;
    }
  }

  /** Sends waiting messages, in order, while they fit. */
  private pump(): void {
    while (this.queue.length > 0 && !this.failure) {
      const head = this.queue.peek() as SendWaiter;
      if (!this.fits(head.outgoing)) return;
      this.queue.shift();
      this.transmit(head.outgoing);
      this.accept(head);
    }
  }

  /**
   * A send just transmitted resolves: at once — or, on a link that writes
   * through to shared memory, once its message is out of this process, so
   * that a resolved send survives this process (see `Link.writesThrough`).
   */
  private accept(waiter: SendWaiter): void {
    const link = this.link;
    if (!link?.writesThrough) return waiter.accepted();
    link.whenOut((out) => {
      if (out) waiter.accepted();
      else waiter.failed(this.failure ?? new ClosedError('peer', "the reader's process is gone (its link closed)"));
    });
  }
}
