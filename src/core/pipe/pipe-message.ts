/** The messages and waiters of a pipe channel (see `pipe-channel.ts`). */

/** A message sent as a value (already copied at `send`), with its approximate encoded size. */
export class ValueMessage {
  constructor(
    readonly value: unknown,
    readonly size: number,
  ) {}
}

/** One message on a pipe: a value from `send`, or raw bytes from `sendBytes`. */
export type PipeMessage = ValueMessage | Uint8Array;

/** The room a message takes in the reader's window, in bytes. */
export function sizeOf(message: PipeMessage): number {
  return message instanceof Uint8Array ? message.byteLength : message.size;
}

/**
 * What a writer hands to the channel: a message, or the end of its stream
 * (with the error it ended on, if any). The end travels in order behind
 * every message sent before it.
 */
export type Outgoing = { readonly message: PipeMessage } | { readonly end: true; readonly error?: Error };

export interface SendWaiter {
  readonly outgoing: Outgoing;
  accepted(): void;
  failed(error: Error): void;
}

export interface RecvWaiter {
  delivered(message: PipeMessage): void;
  failed(error: Error): void;
  /** The writer ended (with `error` if it ended on one) and every message has been read. */
  ended(error: Error | undefined): void;
}

export interface PollWaiter {
  /** `true`: a message or the end is ready to be received. `false`: the timeout ran out. */
  answered(ready: boolean): void;
  /** The reading end closed (or moved away) while the poll waited. */
  failed(error: Error): void;
}

export interface Ended {
  readonly error: Error | undefined;
}

/** What a remote-fed reader reports to its home, which tells the writer. */
export interface PipeChannelHooks {
  /** The application took `count` messages (their room in the window is free again). */
  consumed?(count: number): void;
  /** The reader closed: the writer must be told (broken pipe). */
  readerClosed?(): void;
}

/** What moves with a reader when its end goes to another process. */
export interface ExtractedReader {
  readonly messages: PipeMessage[];
  readonly end: Ended | undefined;
  /** Local sends that were waiting for room in this reader's window, oldest first. */
  readonly senders: SendWaiter[];
}
