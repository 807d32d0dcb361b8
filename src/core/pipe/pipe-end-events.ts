/**
 * What happens to a pipe end (events in) and what its home must do about it
 * (effects out): the vocabulary of `stepPipeEnd`. Events name the pipe
 * message that caused them, when one did (see `wire/protocol/pipe.ts`).
 */
import type { RuntimeAddress } from './pipe-end-state.js';

export type PipeEndEvent<L, A extends RuntimeAddress> =
  // ---- moves --------------------------------------------------------------
  /**
   * It is hosted from now on: its peer left this runtime, or it arrived
   * here. `writes`: it has a writer toward the peer; `readerClosed`,
   * `closed`: its reader, or the whole end, was closed while paired.
   */
  | { readonly t: 'share'; readonly writes: boolean; readonly readerClosed: boolean; readonly closed: boolean }
  /** This end moves to another runtime. */
  | { readonly t: 'leave' }
  // ---- this end's own application -------------------------------------------
  /** Its reader closed (the end closed, or it can no longer read). */
  | { readonly t: 'readerClosed' }
  /** The application closed the end (after closing its reader and ending its stream). */
  | { readonly t: 'closed' }
  /** Its writer is done: the peer's home received everything it sent and its end, or it broke. */
  | { readonly t: 'writerDone' }
  // ---- from the peer's home ---------------------------------------------------
  /** `pdata` for this end's reader arrived on `link`. */
  | { readonly t: 'data'; readonly link: L }
  /** `pend`, in order: the peer's stream ended (the data plane checked its sequence number). */
  | { readonly t: 'streamEnd'; readonly link: L }
  /** `pclosed`: the peer's reader closed; this end's writer must fail. */
  | { readonly t: 'peerReaderClosed'; readonly link: L }
  /** `pclosedok`: the peer's writer knows this end's reader closed. */
  | { readonly t: 'closeAcknowledged' }
  /** `pmoving` on `link`: the peer leaves the home that talks to us there. */
  | { readonly t: 'peerMoving'; readonly link: L }
  /** `phello` on `link`: the peer lives at `home`, its reader this far along (and closed, if `closed`). */
  | {
      readonly t: 'peerHello';
      readonly link: L;
      readonly home: A;
      readonly closed: boolean;
      readonly received: number;
      readonly consumed: number;
    }
  // ---- from the pipe's registry -----------------------------------------------
  /** `pwhere`: the peer lives at `home`. */
  | { readonly t: 'peerWhere'; readonly home: A }
  /** `pgone`: the peer was lost; it had reached `lastHome` (if it had), to which a link is open if `lastHomeOpen`. */
  | { readonly t: 'peerGone'; readonly lastHome: string | undefined; readonly lastHomeOpen: boolean }
  // ---- from this runtime --------------------------------------------------------
  /** `link` closed; it led to `runtime`, to which another link is still open if `runtimeOpen`. */
  | { readonly t: 'linkClosed'; readonly link: L; readonly runtime: string | undefined; readonly runtimeOpen: boolean }
  /** This runtime's address is known (`home`; undefined if it cannot be had): the hello to `to` may go. */
  | { readonly t: 'greeted'; readonly to: A; readonly home: A | undefined }
  /** The hello to `to` went out on `link`. */
  | { readonly t: 'saidHello'; readonly to: string; readonly link: L };

/** Why this end's writer fails: its reader closed, or its process is gone. */
export type BrokenPipeCause = 'its reader closed' | 'its process exited holding it' | "the peer's process is gone";

export type PipeEndEffect<L, A extends RuntimeAddress> =
  /** Take the data (or the end) that arrived in. */
  | { readonly t: 'accept' }
  /** Tell the peer's writer, on `link`, how far this end's reader has received and consumed. */
  | { readonly t: 'ack'; readonly link: L }
  /** Send a pipe control message about this end on `link`. */
  | { readonly t: 'tell'; readonly link: L; readonly what: 'pclosed' | 'pclosedok' | 'pmoving' }
  /** This end's writer sends on `link` from now on, after resending what the reader has not received. */
  | { readonly t: 'bindWriter'; readonly link: L; readonly received: number; readonly consumed: number }
  /** This end's writer sends nothing until the peer's next home says hello. */
  | { readonly t: 'holdWriter' }
  /** This end's writer fails: waiting and later sends reject `ClosedError` (broken pipe). */
  | { readonly t: 'failWriter'; readonly cause: BrokenPipeCause }
  /** This end's reader sees EOF after what it holds. */
  | { readonly t: 'endReader' }
  /** `close()` waits until the peer's writer knows this reader closed. */
  | { readonly t: 'awaitCloseAck' }
  /** …and it knows now (or can no longer be told). */
  | { readonly t: 'closeAcknowledged' }
  /** Say hello to the peer's home at `to` once this runtime's address is known (answer `greeted`). */
  | { readonly t: 'hello'; readonly to: A }
  /** Send `phello` (this end lives at `home`; `closed`: its reader is closed) to `to` now (answer `saidHello`). */
  | { readonly t: 'sendHello'; readonly to: A; readonly home: A; readonly closed: boolean }
  /** Answer `writerDone` once this end's writer has delivered everything and its end (or broke). */
  | { readonly t: 'watchWriter' }
  /** This end left: stop routing to it here. */
  | { readonly t: 'forget' }
  /** This end is done here (see `releasable`): forget it, and tell the pipe's registry it is done. */
  | { readonly t: 'release' };
