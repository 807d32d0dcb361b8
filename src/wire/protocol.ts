import type { ErrorInfo } from './error-codec.js';

/**
 * The messages runtimes exchange over a link. Every frame carries a batch of
 * them, encoded with one serializer call per frame; items travel inline as
 * values (already copied by the `put` that made them).
 *
 * Queue messages name the queue (`q`); the owner keeps per-link state for each.
 */

/** Where a runtime can be reached: its id, and its listener's socket path once it listens. */
export interface Address {
  readonly id: string;
  readonly path?: string;
}

// ---- link ------------------------------------------------------------------

/** First message on every link, each way. */
export interface Hello {
  t: 'hello';
  id: string;
}

// ---- queue: handle → owner ---------------------------------------------------

/** Items put with credits this handle holds (or into an unbounded queue). */
export interface PutMsg {
  t: 'put';
  q: string;
  items: unknown[];
}
/** Asks for up to `n` put credits; waits in line with the owner's own putters. */
export interface WantMsg {
  t: 'want';
  q: string;
  n: number;
  /** Grant only what is free now, possibly nothing, and answer at once (a non-blocking put). */
  try?: true;
}
/** Withdraws a waiting credit request. */
export interface UnwantMsg {
  t: 'unwant';
  q: string;
}
/** Gives back `n` unused credits. */
export interface RefundMsg {
  t: 'refund';
  q: string;
  n: number;
}
/** Asks for up to `n` more items (a prefetch window); they stay counted in `maxsize` until acked. */
export interface FetchMsg {
  t: 'fetch';
  q: string;
  n: number;
  /** Serve only what is queued now and answer at once, with `items` marked `try` (a non-blocking get). */
  try?: true;
}
/** Withdraws fetch requests the owner has not served yet. */
export interface UnfetchMsg {
  t: 'unfetch';
  q: string;
}
/** The `n` oldest fetched items reached the application: their slots are free. */
export interface AckMsg {
  t: 'ack';
  q: string;
  n: number;
}
/**
 * The fetched items with these delivery tags were not used: back to the
 * front of the queue, in order. (Items still on their way are not among them:
 * the owner takes them back when the handle detaches.)
 */
export interface GivebackMsg {
  t: 'giveback';
  q: string;
  tags: number[];
}
/** JoinableQueue: the items delivered with these tags are done. */
export interface DoneMsg {
  t: 'done';
  q: string;
  tags: number[];
}
/** Items the application got but did not consume, back to the front (with their tags for a JoinableQueue). */
export interface RequeueMsg {
  t: 'requeue';
  q: string;
  items: unknown[];
  tags: number[];
}
export type CallOp = 'qsize' | 'end' | 'join' | 'flush';
/** A request answered by a `reply` with the same `rid`. `flush` answers once everything sent before it is in. */
export interface CallMsg {
  t: 'call';
  q: string;
  rid: number;
  op: CallOp;
}
/** Withdraws a pending call (a `join` nobody waits for any more). */
export interface UncallMsg {
  t: 'uncall';
  q: string;
  rid: number;
}
/** The handle closed: refund credits, give back fetched items, withdraw requests. */
export interface DetachMsg {
  t: 'detach';
  q: string;
}

// ---- queue: owner → handle ---------------------------------------------------

export interface CreditMsg {
  t: 'credit';
  q: string;
  n: number;
  /** The answer to a `want` marked `try` (n may be 0). */
  try?: true;
}
/** Fetched items, in queue order. Each gets the next delivery tag of this link and queue (from 1). */
export interface ItemsMsg {
  t: 'items';
  q: string;
  items: unknown[];
  /** The answer to a `fetch` marked `try` (items may be empty). */
  try?: true;
}
/** The queue has ended: puts are refused from now on (credits held are void). */
export interface EndedMsg {
  t: 'ended';
  q: string;
}
/** The queue has ended and is drained: outstanding fetches will never be served. */
export interface DrainedMsg {
  t: 'drained';
  q: string;
}
export interface ReplyMsg {
  t: 'reply';
  rid: number;
  value?: number;
  error?: ErrorInfo;
}
/** The owner does not know this queue (or no longer serves it). */
export interface UnknownMsg {
  t: 'unknown';
  q: string;
}

export type QueueRequest =
  | PutMsg
  | WantMsg
  | UnwantMsg
  | RefundMsg
  | FetchMsg
  | UnfetchMsg
  | AckMsg
  | GivebackMsg
  | DoneMsg
  | RequeueMsg
  | CallMsg
  | UncallMsg
  | DetachMsg;
export type QueueResponse = CreditMsg | ItemsMsg | EndedMsg | DrainedMsg | ReplyMsg | UnknownMsg;

// ---- pipes between the homes of their two ends --------------------------------
//
// Each direction of a pipe numbers its messages from 1 (`seq`). The reader's
// home reports how far it has received and consumed; the writer keeps what
// is not yet consumed, so it knows its window exactly and, when the reader
// moves, resends from `received + 1`. Duplicates are dropped by `seq`.

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
  | PipeGoneMsg
  | PipeWhereMsg;

export type Message = Hello | QueueRequest | QueueResponse | PipeMsg;
