import type { ErrorInfo } from '../error-codec.js';
import type { Address } from './link.js';
import { isAddress, isArray, isSeq, isString, isTags, optional, type Shape } from './checks.js';

// ---- pipes between the homes of their two ends --------------------------------
//
// Who talks. A pipe made with `Pipe()` is a local pair: no message at all.
// It spans runtimes once an end is passed on: the runtime that made it is
// its *registry* from then on (it knows where each end lives), and each
// end has a *home*, the runtime holding it, whose pipe host speaks for it.
// Messages name the pipe (`p`) and an end (`e`, 0 or 1); the end named is
// the one the message is *about* (data for end e's reader, e's reader
// closed, e lives at …), so the receiving home looks up e or its peer 1 − e.
// Each end's side of the conversation is the state machine in
// `core/pipe/pipe-end-step.ts`; the numbering below is its data plane.
//
// Data (writer's home → reader's home). Each direction numbers its messages
// from 1 (`seq`), the end of stream taking the last number. `pdata` carries a
// run of consecutive messages, `pend` the end. The reader's home takes them
// strictly in order: a number at or below `received` is a resend and is
// dropped, a gap drops the rest of the run (it comes again). It answers
// `pack` with how far it has received and how far its application has
// consumed, on the link the writer's home talks to it on.
//
// Window. The writer keeps every message until it is consumed, so it knows
// exactly how many bytes the reader holds: a message goes out when it fits
// the window, or when nothing is outstanding (a message larger than the
// window still goes, alone). Sends beyond that wait, in order.
//
// Hello (between the two homes). When an end arrives at a home, that home
// says `phello` to its peer's home (received and consumed so far, and
// `closed` if its reader is closed). A writer sends nothing until the
// reader's home has said hello; on hello it resends everything after the
// reader's `received` and goes on from there, on that link. Each home
// answers a hello from a home it has not greeted with its own. Hellos always
// go on the sender's own link to the other home (`linkTo`), never on
// whatever link a message came in on.
//
// Moving. An end leaving its home travels as a description (what its reader
// holds with its counts, what its writer has sent and not seen consumed,
// and what waits to be sent). Its old home sends `pmoving` on the link it
// said hello on, so the peer's writer holds on instead of taking the old
// home's hang-up for the end of the stream, and tells the registry `preg`
// without a home (in transit). The new home tells the registry `preg` with
// itself as home; the registry answers both homes `pwhere`, and they hello
// each other. Resending after a move is what makes it lossless: nothing is
// ever dropped by a writer before the reader consumed it. `gen` counts an
// end's moves, so the registry ignores news older than what it knows.
//
// Closing. A reader that closes sends `pclosed` to the peer writer's home
// (or, while that is unknown or the peer is moving, says `closed` in its
// next hello); the writer fails its waiting and later sends (broken pipe)
// and answers `pclosedok`, which `close()` waits for. Only the writer's
// own home answers: a home the end has left does not, and the close is told
// again, with the hello, to its next home. A writer that closes sends its
// end of stream (`pend`) behind its messages; its `close()` resolves once
// the reader's home has received everything and the end (*settled*).
//
// Loss. An end sent to a child that exits before passing it on is lost: the
// sender tells the registry `plost`, and the registry tells the peer's home
// `pgone` (with the runtime it had reached, if it had). The peer's reader
// sees EOF and its writer a broken pipe once nothing more can come from the
// lost end: no link it talked on, none from that runtime, no hello on its
// way. A home whose link to the peer's home closes without `pmoving` does the
// same at once.
//
// Forgetting. A home forgets an end once the application closed it, its
// writer is settled (or broken), and its reader owes nothing (the close was
// acknowledged, the peer's stream ended, or the peer is gone); it tells the
// registry `pdone`. A registry forgets a pipe once both ends are done or lost.
//
// Invariants.
// - Per direction, `received` and `consumed` only grow; consumed ≤ received
//   ≤ the writer's last number. The window in use is the size of the sent
//   messages after `consumed`.
// - A message is delivered once and in order: duplicates and gaps are
//   decided by `seq` alone, at the reader's home.
// - A writer holds every message after `consumed`; a move carries them, with
//   `received`, so the new home resends from `received + 1` and a writer
//   that had settled stays settled. A writer told its reader closed stays
//   broken when it moves.
// - "Settled": the reader's home has received every message sent and the end
//   (`received` ≥ last number). Sends still waiting for room are not sent.
// - A forgotten end can never be needed: its peer's writer has failed or its
//   stream has ended, and whatever the peer's reader still needs it holds.

/**
 * Messages `seq`, `seq + 1`, … for end `e` of pipe `p`: values (sent with
 * `send`), except those at the indexes in `raw`, which are bytes (`sendBytes`).
 */
export interface PipeDataMsg {
  t: 'pdata';
  p: string;
  e: number;
  seq: number;
  data: unknown[];
  raw?: number[];
}
/** The writer toward end `e` ended its stream at `seq` (on an error if given). */
export interface PipeEndMsg {
  t: 'pend';
  p: string;
  e: number;
  seq: number;
  error?: ErrorInfo;
}
/** End `e`'s reader has received up to `received` and consumed up to `consumed`. */
export interface PipeAckMsg {
  t: 'pack';
  p: string;
  e: number;
  received: number;
  consumed: number;
}
/** End `e`'s reader is closed: its writer's sends fail (broken pipe). */
export interface PipeClosedMsg {
  t: 'pclosed';
  p: string;
  e: number;
}
/** The writer toward end `e` knows its reader closed: sends fail from now on. */
export interface PipeClosedOkMsg {
  t: 'pclosedok';
  p: string;
  e: number;
}
/** End `e` is leaving the sender's home: hold on until its new home says hello. */
export interface PipeMovingMsg {
  t: 'pmoving';
  p: string;
  e: number;
}
/** End `e` lives at `home` (the sender) now, with its reader this far along. */
export interface PipeHelloMsg {
  t: 'phello';
  p: string;
  e: number;
  home: Address;
  received: number;
  consumed: number;
  /** The reader of end `e` is already closed: the writer's sends fail at once. */
  closed?: true;
}
/** To the pipe's registry: end `e`, after its `gen`-th move, lives at `home` (or, without one, is on its way there). */
export interface PipeRegisterMsg {
  t: 'preg';
  p: string;
  e: number;
  gen: number;
  home?: Address;
}
/** To the pipe's registry: end `e`, on its `gen`-th move, went to a process that has exited. */
export interface PipeLostMsg {
  t: 'plost';
  p: string;
  e: number;
  gen: number;
}
/**
 * To the pipe's registry: end `e`, after its `gen`-th move, is closed and
 * owes its peer nothing (it will never move again); its home forgot it.
 */
export interface PipeDoneMsg {
  t: 'pdone';
  p: string;
  e: number;
  gen: number;
}
/**
 * From the registry: end `e` was lost with a process that exited; its peer's
 * reader sees EOF, its writer a broken pipe, once no link from runtime `at`
 * (where the end had arrived, if it had) may still carry what it sent.
 */
export interface PipeGoneMsg {
  t: 'pgone';
  p: string;
  e: number;
  at?: string;
}
/** From the registry: end `e` lives at `home`. */
export interface PipeWhereMsg {
  t: 'pwhere';
  p: string;
  e: number;
  home: Address;
}

export type PipeMsg =
  | PipeDataMsg
  | PipeEndMsg
  | PipeAckMsg
  | PipeClosedMsg
  | PipeClosedOkMsg
  | PipeMovingMsg
  | PipeHelloMsg
  | PipeRegisterMsg
  | PipeLostMsg
  | PipeDoneMsg
  | PipeGoneMsg
  | PipeWhereMsg;

const isEnd = (v: unknown): boolean => v === 0 || v === 1;
const pipe = { p: isString, e: isEnd };

/** The fields each pipe message must carry, checked before anything is applied. */
export const PIPE_SHAPES: Record<PipeMsg['t'], Shape> = {
  pdata: { ...pipe, seq: isSeq, data: isArray, raw: optional(isTags) },
  pend: { ...pipe, seq: isSeq },
  pack: { ...pipe, received: isSeq, consumed: isSeq },
  pclosed: pipe,
  pclosedok: pipe,
  pmoving: pipe,
  phello: { ...pipe, home: isAddress, received: isSeq, consumed: isSeq },
  preg: { ...pipe, gen: isSeq, home: optional(isAddress) },
  plost: { ...pipe, gen: isSeq },
  pdone: { ...pipe, gen: isSeq },
  pgone: { ...pipe, at: optional(isString) },
  pwhere: { ...pipe, home: isAddress },
};
