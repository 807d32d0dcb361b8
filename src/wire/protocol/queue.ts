import type { ErrorInfo } from '../error-codec.js';
import { count, isArray, isCount, isSeq, isString, isTags, optional, type Shape } from './checks.js';

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

/** The most items one `fetch` may ask for (the owner holds a waiter for each). */
export const MAX_FETCH = 2 ** 16;

const isOp = (v: unknown): boolean => v === 'qsize' || v === 'end' || v === 'join' || v === 'flush';
const queue = { q: isString };

/** The fields each queue message must carry, checked before anything is applied. */
export const QUEUE_SHAPES: Record<QueueRequest['t'] | QueueResponse['t'], Shape> = {
  put: { ...queue, items: isArray },
  want: { ...queue, n: isCount },
  unwant: queue,
  refund: { ...queue, n: isCount },
  fetch: { ...queue, n: count(MAX_FETCH) },
  unfetch: queue,
  ack: { ...queue, n: isCount },
  giveback: { ...queue, tags: isTags },
  done: { ...queue, tags: isTags },
  requeue: { ...queue, items: isArray, tags: isTags },
  call: { ...queue, rid: isSeq, op: isOp },
  uncall: { ...queue, rid: isSeq },
  detach: queue,
  credit: { ...queue, n: isCount },
  items: { ...queue, items: isArray },
  ended: queue,
  drained: queue,
  reply: { rid: isSeq, value: optional((v) => typeof v === 'number') },
  unknown: queue,
};
