import type { SchedulerLike } from 'rxjs';
import type { PipeChannel, PipeMessage, SendTicket, SendWaiter } from '../../core/pipe/pipe-channel.js';
import { pairedEnd, type PipeEndState } from '../../core/pipe/pipe-end-state.js';
import type { Address } from '../../wire/protocol/index.js';
import type { Link } from '../link/link.js';
import { RemoteWriter } from './remote-writer.js';

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
 * One end of a pipe in the runtime that holds it: its reader and writer
 * (which change when its peer moves to another runtime), its peer while
 * both live here, its identity once the pipe spans runtimes, and its state
 * (see `core/pipe/pipe-end-state.ts`), which the pipe host drives.
 */
export class PipeEnd {
  inbound: PipeChannel | undefined;
  outbound: ChannelWriter | undefined;
  /** The other end, while both live in this runtime and the pair never spanned runtimes. */
  peer: PipeEnd | undefined;
  /** Set once the pipe spans runtimes. */
  pipe: string | undefined;
  registry: Address | undefined;
  /** How many times this end has moved between runtimes. */
  gen = 0;
  state: PipeEndState<Link>;
  /** Reader, once hosted: messages toward this end received so far (by sequence number), and consumed by its application. */
  received = 0;
  consumed = 0;
  /** Resolves once the peer's writer knows this end's reader closed (or can no longer be told); unset: nothing to wait for. */
  closeAcknowledged: Promise<void> | undefined;
  /** @internal Resolves `closeAcknowledged`. */
  acknowledgeClose: (() => void) | undefined;
  /** Closes the Connection standing on this end (a child closes its ends before exiting). */
  close: () => Promise<void> = () => Promise.resolve();
  /** The Connection standing on this end was closed (after closing its reader and ending its stream). */
  closed = false;
  /** @internal The host's ear for `markClosed`, while hosted. */
  onClosed: (() => void) | undefined;

  constructor(
    readonly index: 0 | 1,
    readonly window: number,
    readonly scheduler: SchedulerLike,
    inbound: PipeChannel | undefined,
    outbound: ChannelWriter | undefined,
  ) {
    this.inbound = inbound;
    this.outbound = outbound;
    this.state = pairedEnd(inbound !== undefined, outbound !== undefined);
  }

  /** The Connection closed: once this end owes its peer nothing, its host may forget it. */
  markClosed(): void {
    this.closed = true;
    this.onClosed?.();
  }

  /** This end was passed to another runtime: the object here is spent. */
  get moved(): boolean {
    return this.state.where === 'left';
  }

  /** This runtime's pipe host routes for this end (the pipe spans runtimes). */
  get hosted(): boolean {
    return this.state.where === 'hosted';
  }

  /** Its writer toward a reader in another runtime, if it has one. */
  get writer(): RemoteWriter | undefined {
    return this.outbound instanceof RemoteWriter ? this.outbound : undefined;
  }
}
