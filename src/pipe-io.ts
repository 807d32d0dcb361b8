import { ValueMessage, type Outgoing, type PipeChannel, type PipeMessage } from './core/pipe/pipe-channel.js';
import { EOFError } from './errors.js';
import type { ChannelWriter } from './transport/pipe/pipe-end.js';
import type { Take } from './handle/pull-stream.js';
import type { Cancel, PutListener } from './core/listeners.js';
import { NOT_NOW, type PendingCalls, type PromisedCall } from './handle/pending-calls.js';
import type { Wait } from './handle/options.js';
import { fastClone } from './wire/fast-clone.js';
import { approximateSize, decodeMessage, encodeMessage } from './wire/message-codec.js';

/** A value to send: copied now (refusing what cannot be copied), with its size for the window. */
export function valueMessage(value: unknown): ValueMessage {
  const copy = fastClone(value);
  return new ValueMessage(copy, approximateSize(copy));
}

/** What `recv` returns for a message: the value sent, or bytes decoded as one. */
export function messageValue(message: PipeMessage): unknown {
  return message instanceof Uint8Array ? decodeMessage(message) : message.value;
}

/** What `recvBytes` returns for a message: the bytes sent, or the value encoded. */
export function bytesOf(message: PipeMessage): Uint8Array {
  return message instanceof Uint8Array ? message : encodeMessage(message.value);
}

/**
 * Receives one message from `inbound` into a Promise: `read` turns its bytes
 * into the result (it may throw, consuming the message, as Python does);
 * the end of the stream rejects `EOFError` (or the writer's error). The
 * channel itself fails a waiting receive when the end closes.
 */
export function receiveOne<R>(calls: PendingCalls, inbound: PipeChannel, wait: Wait, read: (message: PipeMessage) => R): Promise<R> {
  return calls.promise(receiveCall as PromisedCall<Receive<R>, R>, { inbound, read }, wait);
}

interface Receive<R> {
  readonly inbound: PipeChannel;
  readonly read: (message: PipeMessage) => R;
}

const receiveCall: PromisedCall<Receive<unknown>, unknown> = {
  fast: ({ inbound, read }) => {
    // A message already here needs no waiting machinery.
    const message = inbound.tryRecv();
    return message === undefined ? NOT_NOW : read(message);
  },
  start: ({ inbound, read }, timeout, finish, resolve, reject) => {
    const ticket = inbound.recv(
      {
        delivered: (message) => {
          finish();
          try {
            resolve(read(message));
          } catch (error) {
            reject(error as Error);
          }
        },
        failed: (error) => {
          finish();
          reject(error);
        },
        ended: (error) => {
          finish();
          reject(error ?? new EOFError());
        },
      },
      timeout,
    );
    return ticket && (() => inbound.cancelRecv(ticket));
  },
  // The channel fails a waiting receive itself when the end closes.
  closes: false,
};

/** Hands `outgoing` to a writer, waiting for room up to `timeout`; returns the `Cancel` while it waits. */
export function startSend(
  outbound: ChannelWriter,
  outgoing: Outgoing,
  listener: PutListener,
  timeout: number | undefined,
): Cancel | undefined {
  const ticket = outbound.send({ outgoing, accepted: () => listener.accepted(), failed: (error) => listener.failed(error) }, timeout);
  return ticket && (() => outbound.cancelSend(ticket));
}

/**
 * A `Take` of decoded messages, for a Connection's Observable and async
 * iterator: the end of stream completes (the writer's error errors, and so
 * does an error `atEnd` hands over then), and a failure that `quietly` says
 * is this end's own closing completes too.
 */
export function decodingTake<T>(inbound: PipeChannel, quietly: (error: Error) => boolean, atEnd: () => Error | undefined): Take<T> {
  return (listener, timeout) => {
    const ticket = inbound.recv(
      {
        delivered: (message) => {
          let value: T;
          try {
            value = messageValue(message) as T;
          } catch (error) {
            listener.failed(error as Error);
            return;
          }
          listener.delivered(value, 0);
        },
        failed: (error) => (quietly(error) ? listener.ended() : listener.failed(error)),
        ended: (error) => {
          const failure = error ?? atEnd();
          if (failure) listener.failed(failure);
          else listener.ended();
        },
      },
      timeout,
    );
    return ticket && (() => inbound.cancelRecv(ticket));
  };
}

/**
 * Where the failure of a send started by `next()` goes. A Connection used
 * as an Observer has no caller to reject, so the first such failure (the
 * pipe is broken: later `next()` calls are dropped) is reported exactly
 * once, to whoever can see it: this end's own subscribers and iterators,
 * whose stream errors with it where it would have completed (after every
 * message that arrived); or, when none can (a write-only end, none
 * reading, the last one left, or the end closed first), a process warning.
 * Never an exception thrown from a later call or into the source.
 */
export class NextFailureReport {
  private failure: { readonly error: Error; reported: boolean } | undefined;
  /** This end's subscribers and iterators right now. */
  private readers = 0;

  constructor(
    /** Whether this end can still be read (a subscriber could still reach its end of stream). */
    private readonly readable: () => boolean,
    /** Whether this end is closed (its streams then end quietly). */
    private readonly closed: () => boolean,
  ) {}

  /** A send started by `next()` has failed. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  report(error: Error): void {
    if (this.failure) return;
    this.failure = { error, reported: false };
    if (this.readers === 0 || !this.readable()) this.warnUnreported();
  }

  /** A subscriber or iterator starts reading this end (an `Attach`); the detach runs when it stops. */
  readonly attachReader = (): (() => void) => {
    this.readers++;
    return () => {
      this.readers--;
      // The last one who could have been told has gone.
      if (this.readers === 0) this.warnUnreported();
    };
  };

  /** At a reader's end of stream: the failure nobody has been told of, which it errors with instead. */
  readonly atEnd = (): Error | undefined => {
    const failure = this.failure;
    if (!failure || failure.reported || this.closed()) return undefined;
    failure.reported = true;
    return failure.error;
  };

  /** Nobody can be told any more: a warning, if nobody was. */
  warnUnreported(): void {
    const failure = this.failure;
    if (!failure || failure.reported) return;
    failure.reported = true;
    process.emitWarning(`a message sent with next() on a Connection was not delivered: ${failure.error.message}`, {
      type: 'RxmpWarning',
      code: failure.error.name,
    });
  }
}
