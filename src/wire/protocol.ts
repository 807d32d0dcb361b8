import v8 from 'node:v8';
import { ProtocolError } from '../errors.js';
import type { ErrorInfo } from './error-codec.js';

/**
 * The messages runtimes exchange over a link. Every frame carries a batch of
 * them (one serializer call per frame); items inside are already encoded, one
 * `Uint8Array` each, so a broker stores and forwards them without decoding.
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
  items: Uint8Array[];
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
/** The `n` newest fetched items were not used: back to the front of the queue. */
export interface GivebackMsg {
  t: 'giveback';
  q: string;
  n: number;
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
  items: Uint8Array[];
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
  items: Uint8Array[];
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

/** Messages for end `e` of pipe `p`, in send order. */
export interface PipeDataMsg {
  t: 'pdata';
  p: string;
  e: number;
  data: Uint8Array[];
}
/** The writer toward end `e` ended its stream (after the data sent before), on an error if given. */
export interface PipeEndMsg {
  t: 'pend';
  p: string;
  e: number;
  error?: ErrorInfo;
}
/** End `e`'s reader grants its writer `bytes` more of its window. */
export interface PipeCreditMsg {
  t: 'pcredit';
  p: string;
  e: number;
  bytes: number;
}
/** End `e`'s reader is closed: its writer's sends fail (broken pipe). */
export interface PipeClosedMsg {
  t: 'pclosed';
  p: string;
  e: number;
}
/** End `e` is leaving this home: stop sending to it here and confirm with `pmoveok`. */
export interface PipeMoveMsg {
  t: 'pmove';
  p: string;
  e: number;
}
/** Everything sent toward end `e` before `pmove` is ahead of this message. */
export interface PipeMoveOkMsg {
  t: 'pmoveok';
  p: string;
  e: number;
}
/** To the pipe's registry: end `e` now lives at `home`. */
export interface PipeRegisterMsg {
  t: 'preg';
  p: string;
  e: number;
  home: Address;
}
/** To the registry: end `e` is moving and has no home for now. */
export interface PipeUnregisterMsg {
  t: 'punreg';
  p: string;
  e: number;
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
  | PipeCreditMsg
  | PipeClosedMsg
  | PipeMoveMsg
  | PipeMoveOkMsg
  | PipeRegisterMsg
  | PipeUnregisterMsg
  | PipeWhereMsg;

export type Message = Hello | QueueRequest | QueueResponse | PipeMsg;

/**
 * Folds `next` into `last` (the message queued just before it) when both are
 * the same kind for the same queue or pipe end, so that a burst of puts or
 * acks becomes one message. Returns whether it did; `last` is then changed.
 */
export function coalesce(last: Message, next: Message): boolean {
  if (last.t !== next.t) return false;
  switch (next.t) {
    case 'put':
    case 'items': {
      const l = last as PutMsg | ItemsMsg;
      if (l.q !== next.q || (l as ItemsMsg).try || (next as ItemsMsg).try) return false;
      for (const item of next.items) l.items.push(item);
      return true;
    }
    case 'ack':
    case 'credit': {
      const l = last as AckMsg | CreditMsg;
      if (l.q !== next.q || (l as CreditMsg).try || (next as CreditMsg).try) return false;
      l.n += next.n;
      return true;
    }
    case 'done': {
      const l = last as DoneMsg;
      if (l.q !== next.q) return false;
      for (const tag of next.tags) l.tags.push(tag);
      return true;
    }
    case 'pdata': {
      const l = last as PipeDataMsg;
      if (l.p !== next.p || l.e !== next.e) return false;
      for (const d of next.data) l.data.push(d);
      return true;
    }
    case 'pcredit': {
      const l = last as PipeCreditMsg;
      if (l.p !== next.p || l.e !== next.e) return false;
      l.bytes += next.bytes;
      return true;
    }
    default:
      return false;
  }
}

/** One frame's payload: a batch of messages, one serializer call. */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  return v8.serialize(messages);
}

/** Decodes a frame's payload; anything but a batch of messages is a `ProtocolError`. */
export function decodeBatch(bytes: Uint8Array): Message[] {
  let decoded: unknown;
  try {
    decoded = v8.deserialize(bytes);
  } catch (cause) {
    throw new ProtocolError(`malformed frame: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(decoded)) throw new ProtocolError('malformed frame: not a batch of messages');
  for (const m of decoded) {
    if (m === null || typeof m !== 'object' || typeof (m as { t?: unknown }).t !== 'string') {
      throw new ProtocolError('malformed frame: a message without a type');
    }
  }
  return decoded as Message[];
}
