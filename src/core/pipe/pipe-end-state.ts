/**
 * Where one pipe end stands in the runtime that holds it, as a value: the
 * state machine's states (see `pipe-end-step.ts` for its transitions and
 * `wire/protocol/pipe.ts` for the conversation it takes part in).
 *
 * `L` is a link to another runtime and `A` a runtime's address, both opaque
 * here: the machine only compares and hands them back in its effects.
 */

/** A runtime's address: all the machine reads of it is its id. */
export interface RuntimeAddress {
  readonly id: string;
}

/**
 * The peer end, as this end's home knows it. `link` is the link its home
 * talks to us on (the reader's acks go there); a link that closes under a
 * peer that did not say it was moving means its home is gone.
 */
export type PeerState<L> =
  /** Its home has not said hello (yet); data may have come on `link` first. */
  | { readonly kind: 'unknown'; readonly link: L | undefined }
  /** Its home said hello on `link`: this end's writer sends there. */
  | { readonly kind: 'bound'; readonly link: L }
  /** It is leaving its home: hold on until its next home says hello (data may come on `link` first). */
  | { readonly kind: 'moving'; readonly link: L | undefined }
  /**
   * It was lost with a process that exited. What it sent may still be on
   * its way: on `link`, or on a link from the runtime it had reached
   * (`lastHome`, while `lastHomeOpen`). Once neither is open, it has ended.
   */
  | { readonly kind: 'gone'; readonly link: L | undefined; readonly lastHome: string | undefined; readonly lastHomeOpen: boolean }
  /** Nothing more can come from it: this end's reader saw EOF, its writer a broken pipe. */
  | { readonly kind: 'ended' };

/**
 * This end's reader. Closing it must reach the peer's writer, whose sends
 * then fail instead of going nowhere: on `link` if `pclosed` went there,
 * or else with this end's next hello.
 */
export type ReaderState<L> =
  | { readonly kind: 'none' }
  | { readonly kind: 'open' }
  | { readonly kind: 'closing'; readonly link: L | undefined }
  /** The peer's writer knows (or nothing can come from it any more). */
  | { readonly kind: 'closed' };

export interface PipeEndState<L> {
  /**
   * `paired`: both ends live in this runtime and talk through their channels
   * (no host involved). `hosted`: the pipe spans runtimes and this runtime's
   * pipe host routes for this end. `left`: it moved to another runtime; the
   * object here is spent. `released`: it is closed and owes its peer
   * nothing more, so this runtime forgot it (see `releasable`).
   */
  readonly where: 'paired' | 'hosted' | 'left' | 'released';
  readonly peer: PeerState<L>;
  /** The home this end last said hello to, and the link that hello went on. */
  readonly hello: { readonly to: string; readonly link: L } | undefined;
  /** Hellos waiting for this runtime's address: while any is, a lost peer is not settled. */
  readonly greeting: number;
  readonly reader: ReaderState<L>;
  /** The peer's stream ended here (its `pend` arrived): nothing more comes for this reader. */
  readonly peerEnded: boolean;
  /** This end's writer: none, open, or done (everything it sent and its end were received, or it broke). */
  readonly writer: 'none' | 'open' | 'done';
  /** The application closed this end: it will never move again. */
  readonly closed: boolean;
}

const UNKNOWN: PeerState<never> = Object.freeze({ kind: 'unknown', link: undefined });
const NO_READER: ReaderState<never> = Object.freeze({ kind: 'none' });
const OPEN_READER: ReaderState<never> = Object.freeze({ kind: 'open' });

/** An end of a pipe just made: its peer lives here too. */
export function pairedEnd<L>(reads: boolean, writes: boolean): PipeEndState<L> {
  return {
    where: 'paired',
    peer: UNKNOWN,
    hello: undefined,
    greeting: 0,
    reader: reads ? OPEN_READER : NO_READER,
    peerEnded: false,
    writer: writes ? 'open' : 'none',
    closed: false,
  };
}

/**
 * An end that arrived from another runtime (or stays here while its peer
 * left): hosted, its peer's home not known yet. A reader closed before the
 * pipe spanned runtimes tells the peer with its first hello.
 */
export function hostedEnd<L>(reads: boolean, writes: boolean, closed = { reader: false, end: false }): PipeEndState<L> {
  const reader: ReaderState<L> = !reads ? NO_READER : closed.reader ? { kind: 'closing', link: undefined } : OPEN_READER;
  return { ...pairedEnd<L>(reads, writes), where: 'hosted', reader, closed: closed.end };
}

/** The link this end's reader acknowledges on: where the peer's home talks to us, if known. */
export function ackLink<L>(state: PipeEndState<L>): L | undefined {
  return state.peer.kind === 'ended' ? undefined : state.peer.link;
}

/** Whether this end's reader was closed (later data for it is answered `pclosed`). */
export function readerClosed<L>(state: PipeEndState<L>): boolean {
  return state.reader.kind === 'closing' || state.reader.kind === 'closed';
}

/**
 * The release rule: an end's home forgets it once the application closed
 * it (it never moves again), its writer is done (the peer's home received
 * everything and the end, or the writer broke), and its reader owes nothing
 * (none, the peer's writer acknowledged the close, the peer's stream
 * ended here, or nothing can come from the peer any more). After that no
 * message about it can matter: the peer's writer has failed or ended, and
 * whatever the peer's reader still needs it already holds, even if it moves.
 */
export function releasable<L>(state: PipeEndState<L>): boolean {
  if (state.where !== 'hosted' || !state.closed || state.writer === 'open') return false;
  const reader = state.reader.kind;
  return reader === 'none' || reader === 'closed' || (reader === 'closing' && (state.peerEnded || state.peer.kind === 'ended'));
}
