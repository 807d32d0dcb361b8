import type { SchedulerLike } from 'rxjs';
import { ClosedError, Empty, Full } from '../../errors.js';
import { Deque } from '../collections/deque.js';
import {
  sizeOf,
  type Ended,
  type Outgoing,
  type PipeChannelHooks,
  type PipeMessage,
  type PollWaiter,
  type RecvWaiter,
  type SendWaiter,
  type ExtractedReader,
} from './pipe-message.js';
import { WaitList, type WaitNode } from '../collections/wait-list.js';

export { sizeOf, ValueMessage } from './pipe-message.js';
export type {
  Ended,
  ExtractedReader,
  Outgoing,
  PipeChannelHooks,
  PipeMessage,
  PollWaiter,
  RecvWaiter,
  SendWaiter,
} from './pipe-message.js';

export type SendTicket = WaitNode<SendWaiter>;
export type RecvTicket = WaitNode<RecvWaiter>;
export type PollTicket = WaitNode<PollWaiter>;

/**
 * One direction of a pipe: the reader's buffer of messages, bounded by a
 * window of bytes, with the writer's sends waiting in order for room.
 *
 * A message is accepted when it fits in the window, or when the buffer is
 * empty (so one message larger than the window still goes through).
 * Everything is synchronous; deadlines come from the scheduler.
 */
export class PipeChannel {
  /** The reader's buffer limit in bytes. */
  readonly window: number;
  private readonly scheduler: SchedulerLike;
  private readonly buffer = new Deque<PipeMessage>();
  private bufferedBytes = 0;
  private end: Ended | undefined;
  private readerGone = false;
  private readonly senders = new WaitList<SendWaiter>();
  private readonly receivers = new WaitList<RecvWaiter>();
  private readonly pollers = new WaitList<PollWaiter>();
  /** Set when this reader is fed by a writer in another runtime. */
  hooks: PipeChannelHooks = {};

  constructor(window: number, scheduler: SchedulerLike) {
    this.window = window;
    this.scheduler = scheduler;
  }

  /** Bytes buffered and not yet received. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Messages buffered and not yet received. */
  get messages(): number {
    return this.buffer.length;
  }

  /** Sends waiting for room (including a pending end). */
  get pendingSends(): number {
    return this.senders.length;
  }

  /** True once the reader has closed (or moved away): nothing more reaches it. */
  get readerClosed(): boolean {
    return this.readerGone;
  }

  /** True once the writer's end has been accepted into the buffer. */
  get writerEnded(): boolean {
    return this.end !== undefined;
  }

  // ---- writer side -------------------------------------------------------

  send(waiter: SendWaiter, timeout?: number): SendTicket | undefined {
    if (this.readerGone) {
      waiter.failed(brokenPipe());
      return undefined;
    }
    if (this.end) {
      waiter.failed(new ClosedError('connection', 'this end has already ended its stream'));
      return undefined;
    }
    if (this.senders.length === 0 && this.hasRoomFor(waiter.outgoing)) {
      this.admit(waiter.outgoing);
      waiter.accepted();
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Full(this.window, 0, 'peer window is full'));
      return undefined;
    }
    const ticket = this.senders.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.senders.expireAfter(ticket, timeout, this.scheduler, (w) =>
        w.failed(new Full(this.window, timeout, `peer window stayed full for ${timeout} ms`)),
      );
    }
    return ticket;
  }

  /** Accepts `message` if it fits now and no send waits ahead; `false`, with nothing changed, otherwise. */
  trySend(message: PipeMessage): boolean {
    if (this.readerGone || this.end || this.senders.length > 0) return false;
    const outgoing = { message };
    if (!this.hasRoomFor(outgoing)) return false;
    this.admit(outgoing);
    return true;
  }

  /** Takes the next message if one is buffered; `undefined`, with nothing changed, otherwise. */
  tryRecv(): PipeMessage | undefined {
    if (this.readerGone || this.buffer.length === 0) return undefined;
    const message = this.take();
    const admitted = this.admitWaitingSenders();
    this.hooks.consumed?.(1);
    if (admitted) for (const s of admitted) s.accepted();
    return message;
  }

  cancelSend(ticket: SendTicket): boolean {
    const removed = this.senders.remove(ticket);
    // A withdrawn send may have been the one holding back smaller ones behind it.
    if (removed) {
      const admitted = this.admitWaitingSenders();
      if (admitted) for (const s of admitted) s.accepted();
    }
    return removed;
  }

  // ---- reader side -------------------------------------------------------

  recv(waiter: RecvWaiter, timeout?: number): RecvTicket | undefined {
    if (this.readerGone) {
      waiter.failed(new ClosedError('connection'));
      return undefined;
    }
    if (this.buffer.length > 0) {
      const message = this.take();
      const admitted = this.admitWaitingSenders();
      this.hooks.consumed?.(1);
      waiter.delivered(message);
      if (admitted) for (const s of admitted) s.accepted();
      return undefined;
    }
    if (this.end) {
      waiter.ended(this.end.error);
      return undefined;
    }
    if (timeout === 0) {
      waiter.failed(new Empty(0, 'no message waiting'));
      return undefined;
    }
    const ticket = this.receivers.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.receivers.expireAfter(ticket, timeout, this.scheduler, (w) => w.failed(new Empty(timeout, `no message within ${timeout} ms`)));
    }
    return ticket;
  }

  cancelRecv(ticket: RecvTicket): boolean {
    return this.receivers.remove(ticket);
  }

  /** Answers whether a message (or the end) is ready, waiting up to `timeout`. */
  poll(waiter: PollWaiter, timeout?: number): PollTicket | undefined {
    if (this.readerGone) {
      waiter.failed(new ClosedError('connection'));
      return undefined;
    }
    if (this.buffer.length > 0 || this.end) {
      waiter.answered(true);
      return undefined;
    }
    if (timeout === 0) {
      waiter.answered(false);
      return undefined;
    }
    const ticket = this.pollers.push(waiter);
    if (timeout !== undefined && timeout !== Infinity) {
      this.pollers.expireAfter(ticket, timeout, this.scheduler, (w) => w.answered(false));
    }
    return ticket;
  }

  cancelPoll(ticket: PollTicket): boolean {
    return this.pollers.remove(ticket);
  }

  /**
   * The reader is gone: what it had not read is dropped (it chose to close),
   * pending and later sends fail with `ClosedError` (Python's BrokenPipeError),
   * and its own pending receives fail too.
   */
  closeReader(): void {
    if (this.readerGone) return;
    this.readerGone = true;
    this.buffer.drain();
    this.bufferedBytes = 0;
    const senders = this.senders.drain();
    const receivers = this.receivers.drain();
    const pollers = this.pollers.drain();
    for (const s of senders) s.failed(brokenPipe());
    for (const r of receivers) r.failed(new ClosedError('connection'));
    for (const p of pollers) p.failed(new ClosedError('connection'));
    this.hooks.readerClosed?.();
  }

  /**
   * The writer moves away: its sends still waiting for room leave with it
   * (removed here, not failed), and it learns how much of the window its
   * earlier messages still take (their sizes, in order) and whether its end
   * arrived.
   */
  detachWriter(): { waiting: SendWaiter[]; buffered: number[]; ended: boolean } {
    return {
      waiting: this.senders.drain(),
      buffered: [...this.buffer].map(sizeOf),
      ended: this.end !== undefined,
    };
  }

  // ---- a reader fed from another runtime ------------------------------------

  /** A message the remote writer sent within its window: buffered, or handed to a waiting receiver. */
  accept(message: PipeMessage): void {
    if (this.readerGone || this.end) return;
    const receiver = this.receivers.shift();
    if (receiver) {
      this.hooks.consumed?.(1);
      receiver.delivered(message);
      return;
    }
    this.buffer.push(message);
    this.bufferedBytes += sizeOf(message);
    if (this.pollers.length > 0) for (const p of this.pollers.drain()) p.answered(true);
  }

  /** The remote writer ended its stream (after everything accepted before). */
  acceptEnd(error: Error | undefined): void {
    if (this.readerGone || this.end) return;
    this.admit({ end: true, error });
  }

  /**
   * Takes everything out of this reader so that it can live on elsewhere:
   * unread messages, the end if it came, and local sends still waiting for
   * room. Waiting receives fail with `reason`; the channel is dead afterwards.
   */
  extract(reason: Error): ExtractedReader {
    const messages = this.buffer.drain();
    const end = this.end;
    this.bufferedBytes = 0;
    this.readerGone = true;
    const senders = this.senders.drain();
    const receivers = this.receivers.drain();
    const pollers = this.pollers.drain();
    for (const r of receivers) r.failed(reason);
    for (const p of pollers) p.failed(reason);
    return { messages, end, senders };
  }

  // ---- internals ---------------------------------------------------------

  private hasRoomFor(outgoing: Outgoing): boolean {
    if (!('message' in outgoing)) return true;
    return this.buffer.length === 0 || this.bufferedBytes + sizeOf(outgoing.message) <= this.window;
  }

  /** Accepts `outgoing` into the buffer, handing it straight to a waiting receiver if there is one. */
  private admit(outgoing: Outgoing): void {
    if ('message' in outgoing) {
      const receiver = this.receivers.shift();
      if (receiver) {
        receiver.delivered(outgoing.message);
        return;
      }
      this.buffer.push(outgoing.message);
      this.bufferedBytes += sizeOf(outgoing.message);
    } else {
      this.end = { error: outgoing.error };
      if (this.buffer.length === 0) {
        for (const r of this.receivers.drain()) r.ended(outgoing.error);
      }
    }
    if (this.pollers.length > 0) for (const p of this.pollers.drain()) p.answered(true);
  }

  private take(): PipeMessage {
    const message = this.buffer.shift() as PipeMessage;
    this.bufferedBytes -= sizeOf(message);
    return message;
  }

  /**
   * Admits waiting sends, in order, while they fit. Returns the senders to
   * notify; the caller notifies them after finishing its own state change.
   */
  private admitWaitingSenders(): SendWaiter[] | undefined {
    let admitted: SendWaiter[] | undefined;
    while (this.senders.length > 0 && !this.end) {
      const next = this.senders.peek() as SendWaiter;
      if (!this.hasRoomFor(next.outgoing)) break;
      this.senders.shift();
      this.admit(next.outgoing);
      if (!admitted) admitted = [];
      admitted.push(next);
    }
    return admitted;
  }
}

function brokenPipe(): ClosedError {
  return new ClosedError('peer', 'peer end is closed (broken pipe)');
}
