import { inspect, type InspectOptionsStylized } from 'node:util';
import { markHandle } from './handle/handle-kinds.js';
import { showHandle } from './handle/inspect.js';
import {
  observable,
  type Observable,
  type Observer,
  type Operator,
  type OperatorFunction,
  type Subscribable,
  type Subscription,
} from 'rxjs';
import type { PipeChannel, PipeMessage } from './core/pipe/pipe-channel.js';
import type { ChannelWriter, PipeEnd } from './transport/pipe/pipe-end.js';
import { BufferTooShort, ClosedError, MessageTooLong, SerializationError } from './errors.js';
import { MAX_ITEM_BYTES } from './wire/framing.js';
import { tooLarge } from './wire/refusal.js';
import {
  checkMaxlength,
  checkRecvInto,
  checkSendRange,
  checkTimeout,
  checkWaitOptions,
  WAIT_FOREVER,
  type Wait,
  type WaitOptions,
} from './handle/options.js';
import { finishingPut, NOT_NOW, PendingCalls, type PromisedCall } from './handle/pending-calls.js';
import { bytesOf, decodingTake, NextFailureReport, receiveOne, startSend, valueMessage, messageValue } from './pipe-io.js';
import { pullIterator, pullStream, type Take } from './handle/pull-stream.js';
import { decodeError, encodeError } from './wire/error-codec.js';

/**
 * One end of a `Pipe` (Python's `Connection`). Messages are copied at
 * `send`; `send` waits while the peer's window is full. It is also an RxJS
 * Observer (`next` sends, `complete` half-closes, `error` forwards an error)
 * and a Subscribable of the messages it receives.
 */
export class Connection<T = unknown> implements Observer<T>, Subscribable<T>, AsyncIterable<T> {
  private closedFlag = false;
  /** The calls this end has waiting (closing the end fails its receives through the channel; its sends still go out). */
  private readonly calls = new PendingCalls('connection');
  private writeEnded = false;
  private readDisabled = false;
  /** Settles when this end's end-of-stream has reached the peer (or the peer is gone). */
  private endDelivered: Promise<void> | undefined;
  /** Where a send started by `next()` that failed is reported, once (it has no caller to reject). */
  private readonly nextFailure = new NextFailureReport(
    () => this.readable,
    () => this.closed,
  );

  /** @internal Built by `Pipe()`, or by handle passing when an end arrives from another runtime. */
  constructor(
    /** @internal */
    readonly end: PipeEnd,
    /** @internal An end that arrives having already ended its stream. */
    writeEnded = false,
  ) {
    this.writeEnded = writeEnded;
    end.close = () => this.close();
  }

  /** @internal Whether this end has ended its own stream (complete, error or close). */
  get streamEnded(): boolean {
    return this.writeEnded;
  }

  private get inbound(): PipeChannel | undefined {
    return this.end.inbound;
  }

  private get outbound(): ChannelWriter | undefined {
    return this.end.outbound;
  }

  /**
   * Whether this end is closed: `close()` was called, or the end was sent
   * to another process or thread (it lives on there, not here). A closed end
   * neither sends nor receives; its calls reject `ClosedError`.
   */
  get closed(): boolean {
    return this.closedFlag || this.end.moved;
  }

  /**
   * Whether this end can still receive: it is open, not the write-only
   * end of a one-way pipe (`Pipe({ duplex: false })`'s second end), and no
   * `recvBytes(maxlength)` met a longer message (which stops reading, as
   * Python's does). Stays
   * `true` after the peer ended its stream: what was sent before can still be read.
   * @example if (conn.readable) console.log(await conn.recv());
   */
  get readable(): boolean {
    return !this.closed && this.inbound !== undefined && !this.readDisabled;
  }

  /**
   * Whether this end can still send: it is open, not the read-only end of a
   * one-way pipe, and has not ended its own stream (`complete()`, `error()`).
   */
  get writable(): boolean {
    return !this.closed && this.outbound !== undefined && !this.writeEnded;
  }

  /** `Connection { readable: true, writable: true, closed: false }`: what this end can still do. */
  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return showHandle('Connection', this.facts(), options);
  }

  toString(): string {
    return showHandle('Connection', this.facts());
  }

  private facts(): { readable: boolean; writable: boolean; closed: boolean } {
    return { readable: this.readable, writable: this.writable, closed: this.closed };
  }

  /** Sends a copy of `value`; waits while the peer's window is full, rejecting `Full` after `timeout`. */
  send(value: T, options?: WaitOptions): Promise<void> {
    let wait: Wait;
    let message: PipeMessage;
    try {
      wait = checkWaitOptions(options);
      this.checkWritable();
      message = valueMessage(value);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendMessage({ message }, wait);
  }

  /** Sends `size` bytes of `buf` from byte `offset` as one message (copied now). */
  sendBytes(buf: ArrayBufferView | ArrayBufferLike, offset?: number, size?: number): Promise<void> {
    let bytes: Uint8Array;
    try {
      const range = checkSendRange(buf, offset, size);
      // The same bound as a value sent with send(): one message fits one frame.
      if (range.byteLength > MAX_ITEM_BYTES) throw new SerializationError('$', tooLarge('$', range.byteLength));
      this.checkWritable();
      bytes = range.slice();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendMessage({ message: bytes }, WAIT_FOREVER);
  }

  /**
   * Receives the next message. Rejects `EOFError` once the peer has ended its
   * stream and nothing is left, `Empty` on timeout.
   */
  recv(options?: WaitOptions): Promise<T> {
    return this.receive(options, messageValue as (message: PipeMessage) => T);
  }

  /**
   * Receives the next message as bytes. A message longer than `maxlength`
   * is consumed, rejects `MessageTooLong`, and this end can no longer read.
   */
  recvBytes(maxlength?: number): Promise<Uint8Array> {
    let limit: number | undefined;
    try {
      limit = checkMaxlength(maxlength);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.receive(undefined, (message) => {
      const bytes = bytesOf(message);
      if (limit !== undefined && bytes.byteLength > limit) {
        this.disableReading();
        throw new MessageTooLong(bytes.byteLength, limit);
      }
      return bytes;
    });
  }

  /**
   * Receives the next message into `buf` at byte `offset`, resolving with its
   * size. Too small a buffer rejects `BufferTooShort` carrying the message.
   */
  recvBytesInto(buf: ArrayBufferView | ArrayBufferLike, offset?: number): Promise<number> {
    let target: { bytes: Uint8Array; offset: number };
    try {
      target = checkRecvInto(buf, offset);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.receive(undefined, (message) => {
      const bytes = bytesOf(message);
      const room = target.bytes.byteLength - target.offset;
      if (bytes.byteLength > room) throw new BufferTooShort(bytes, room);
      target.bytes.set(bytes, target.offset);
      return bytes.byteLength;
    });
  }

  /** Whether a message (or the peer's end of stream) is ready, waiting up to `timeout` ms (default 0). */
  poll(timeout: number = 0): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const wait = checkTimeout(timeout, 'poll timeout');
      const inbound = this.checkReadable();
      inbound.poll({ answered: resolve, failed: reject }, wait);
    });
  }

  /**
   * Closes this end: later calls reject `ClosedError`, waiting receives
   * reject `ClosedError`, unread messages are dropped and the peer's sends
   * fail from now on. Sends already made still reach the peer, then the peer
   * sees end of stream; resolves when they have. Calling it again is harmless.
   */
  close(): Promise<void> {
    if (this.end.moved) return Promise.resolve();
    if (!this.closedFlag) {
      this.closedFlag = true;
      // Its stream now ends quietly: a failed next() nobody was told of can only be a warning.
      this.nextFailure.warnUnreported();
      this.inbound?.closeReader();
      const writer = this.outbound;
      if (writer && !this.writeEnded) this.endStream(undefined);
      this.end.markClosed();
      // A reader in another process has every message and the end before close() resolves…
      const sent = writer?.settled ? Promise.resolve(this.endDelivered).then(() => writer.settled?.()) : this.endDelivered;
      // …and a writer in another process knows this reader is gone.
      const told = this.end.closeAcknowledged;
      this.closing = told ? Promise.all([sent, told]).then(() => undefined) : sent;
    }
    return this.closing ?? Promise.resolve();
  }

  private closing: Promise<void> | undefined;

  // ---- RxJS Observer: a Connection can be subscribed to a source ----------

  /**
   * Sends without waiting; still ordered, still held back by the peer's
   * window. Misuse throws here (a closed or read-only end, a stream already
   * ended). A send that fails later — the peer closed, or is gone — is
   * never thrown from a later call: this end stops sending (later `next()`
   * calls are dropped) and the failure is reported once (see `NextFailureReport`).
   */
  next(value: T): void {
    this.checkWritable();
    if (this.nextFailure.failed) return; // the pipe is broken; that is reported once
    const message = valueMessage(value);
    this.calls.run<void>({
      fast: () => this.trySend(message),
      start: (finish) => startSend(this.outbound as ChannelWriter, { message }, finishingPut(finish, this.nextListener), undefined),
      settled: noop,
      failed: this.nextListener.failed,
    });
  }

  /** Half-closes: the peer's stream completes after the messages already sent. This end may still receive. */
  complete(): void {
    if (this.writable) this.endStream(undefined);
  }

  /** The peer's stream errors (after the messages already sent) with an error carrying `error`'s name, message and stack. */
  error(error: unknown): void {
    if (this.writable) this.endStream(decodeError(encodeError(error)));
  }

  // ---- RxJS Subscribable: the messages this end receives ------------------

  /** Each subscriber competes for messages; completes at end of stream or when this end closes. */
  asObservable(): Observable<T> {
    return pullStream(this.take, undefined, this.nextFailure.attachReader);
  }

  /**
   * `asObservable().subscribe(observer)`: receives messages as they come
   * (what makes a Connection a Subscribable, so `from(conn)` works). Each
   * subscriber competes for messages with the others and with `recv()`.
   * @example const sub = conn.subscribe((message) => console.log(message)); // later: sub.unsubscribe()
   */
  subscribe(observer?: Partial<Observer<T>> | ((value: T) => void)): Subscription {
    return this.asObservable().subscribe(observer);
  }

  /** `asObservable().pipe(...)`: the messages this end receives, through RxJS operators. */
  readonly pipe: Observable<T>['pipe'] = ((...operations: OperatorFunction<unknown, unknown>[]) =>
    (this.asObservable() as Observable<unknown>).pipe(...(operations as []))) as Observable<T>['pipe'];

  /** @deprecated As RxJS's own `lift`: what makes `isObservable(connection)` true. Use `pipe`. */
  lift<R>(operator?: Operator<T, R>): Observable<R> {
    return this.asObservable().lift(operator);
  }

  /**
   * Receives one message per step, as `recv()` does; the loop ends when the
   * peer ends its stream or this end closes, and throws the error the peer
   * sent with `error()`.
   * @example for await (const message of conn) console.log(message);
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return pullIterator(this.take, this.nextFailure.attachReader);
  }

  // ---- internals -----------------------------------------------------------

  private readonly take: Take<T> = (listener, timeout) => {
    if (!this.readable) {
      listener.failed(this.closed ? this.closedError() : this.notReadable());
      return undefined;
    }
    // This end closing (or moving away) under a waiting subscriber ends its stream quietly.
    const quietly = (error: Error): boolean => error instanceof ClosedError && this.closed;
    return decodingTake<T>(this.inbound as PipeChannel, quietly, this.nextFailure.atEnd)(listener, timeout);
  };

  private receive<R>(options: WaitOptions | undefined, read: (message: PipeMessage) => R): Promise<R> {
    let wait: Wait;
    let inbound: PipeChannel;
    try {
      wait = checkWaitOptions(options);
      inbound = this.checkReadable();
    } catch (error) {
      return Promise.reject(error);
    }
    return receiveOne(this.calls, inbound, wait, read);
  }

  /** Sends `outgoing`, waiting for room in the peer's window (the caller checked that this end writes). */
  private sendMessage(outgoing: { message: PipeMessage }, wait: Wait): Promise<void> {
    return this.calls.promise(this.sendCall, outgoing, wait);
  }

  private readonly sendCall: PromisedCall<{ message: PipeMessage }, void> = {
    fast: (outgoing) => this.trySend(outgoing.message),
    start: (outgoing, timeout, finish, resolve, reject) =>
      startSend(this.outbound as ChannelWriter, outgoing, finishingPut(finish, { accepted: resolve, failed: reject }), timeout),
    // Closing this end leaves its sends be: they still reach the peer, then the end of stream.
    closes: false,
  };

  /** The fast path of a send: accepted now (it fits the window and nothing waits ahead), or `NOT_NOW`. */
  private trySend(message: PipeMessage): undefined | typeof NOT_NOW {
    return (this.outbound as ChannelWriter).trySend(message) ? undefined : NOT_NOW;
  }

  /** Where a send started by `next()` reports (its caller is gone). */
  private readonly nextListener = {
    accepted: noop,
    failed: (error: Error) => this.nextFailure.report(error),
  };

  /** Queues this end's end of stream behind the messages already sent. */
  private endStream(error: Error | undefined): void {
    this.writeEnded = true;
    const outbound = this.outbound as ChannelWriter;
    this.endDelivered = new Promise((resolve) => {
      startSend(outbound, { end: true, error }, { accepted: resolve, failed: () => resolve() }, undefined);
    });
  }

  private disableReading(): void {
    if (this.outbound) {
      this.readDisabled = true;
      this.inbound?.closeReader();
    } else {
      void this.close();
    }
  }

  private closedError(): ClosedError {
    return this.end.moved ? new ClosedError('connection', 'this end moved to another process') : new ClosedError('connection');
  }

  private checkWritable(): void {
    if (this.closed) throw this.closedError();
    if (!this.outbound) throw new TypeError('connection is read-only');
    if (this.writeEnded) throw new ClosedError('connection', 'this end has already ended its stream (complete/error)');
  }

  private checkReadable(): PipeChannel {
    if (this.closed) throw this.closedError();
    if (!this.inbound || this.readDisabled) throw this.notReadable();
    return this.inbound;
  }

  private notReadable(): Error {
    return this.inbound
      ? new ClosedError('connection', 'connection can no longer be read (a message exceeded maxlength)')
      : new TypeError('connection is write-only');
  }
}

// `from(connection)` and other interop consumers look for the observable symbol.
Object.defineProperty(Connection.prototype, observable, {
  value(this: Connection): Subscribable<unknown> {
    return this;
  },
  configurable: true,
  writable: true,
});

function noop(): void {}

// Travels in Process args and output$ as a handle (see connection-kind.ts).
markHandle(Connection, 'connection');
