import type { SchedulerLike } from 'rxjs';
import type { PipeChannel, PipeMessage, SendTicket, SendWaiter } from '../../core/pipe/pipe-channel.js';
import type { HostedEnd } from './pipe-host.js';
import type { Address } from '../../wire/protocol/index.js';

/** The writing half of a pipe direction: the peer's channel in this runtime, or a remote writer. */
export interface ChannelWriter {
  send(waiter: SendWaiter, timeout?: number): SendTicket | undefined;
  cancelSend(ticket: SendTicket): boolean;
  /** The fast path: sends `message` if it goes out at once; `false`, with nothing done, otherwise. */
  trySend(message: PipeMessage): boolean;
  /** A writer toward another runtime: resolves once the reader's runtime has received everything sent so far. */
  settled?(): Promise<void>;
}

/**
 * Where one end of a pipe stands: its reader and writer (which change when
 * its peer moves to another runtime), its peer while both live here, and
 * its identity once the pipe spans runtimes.
 */
export class PipeEnd {
  inbound: PipeChannel | undefined;
  outbound: ChannelWriter | undefined;
  /** The other end, while both live in this runtime and the pair never spanned runtimes. */
  peer: PipeEnd | undefined;
  /** Set once the pipe spans runtimes. */
  pipe: string | undefined;
  registry: Address | undefined;
  hosted: HostedEnd | undefined;
  /** How many times this end has moved between runtimes. */
  gen = 0;
  /** This end was passed to another runtime: the object here is spent. */
  moved = false;
  /** Closes the Connection standing on this end (a child closes its ends before exiting). */
  close: () => Promise<void> = () => Promise.resolve();

  constructor(
    readonly index: 0 | 1,
    readonly window: number,
    readonly scheduler: SchedulerLike,
    inbound: PipeChannel | undefined,
    outbound: ChannelWriter | undefined,
  ) {
    this.inbound = inbound;
    this.outbound = outbound;
  }
}
