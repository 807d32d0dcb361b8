/**
 * The queue protocol: how a handle in one runtime uses a queue owned by
 * another. Everything here is one conversation, a *session*, per link and
 * queue; the owner keeps the session's state (`transport/queue/owner/session.ts`),
 * the handle keeps its mirror (`transport/queue/remote/`).
 *
 * ## The conversation
 *
 * Attaching (every handle):
 *   handle → owner  `attach {pin?, word?, where?}`  first message of every handle revived here, sent at once, so
 *                                     the owner knows the handle exists even before it is used; `pin` names
 *                                     the description it was revived from (see Pins); `word` (between threads
 *                                     of one process) the shared word in which the handle keeps the last tag
 *                                     it handed to its application; `where` the handle's process (and
 *                                     thread) as users read it, which the owner's warnings name. At most
 *                                     one handle per link and queue is attached at a time: a new one
 *                                     attaches only after the last detached.
 *   owner → handle  `attached {tag}`  this attachment's tags start at `tag`. Until it arrives, whatever comes
 *                                     for this queue on this link answered an earlier attachment (one that
 *                                     has detached since, so the owner took back what it was sent): the
 *                                     handle ignores it.
 *   owner → handle  `ended {error?}`  at `attach` after the queue ended, at the end (to every attached
 *                                     session), and in answer to a `want` after the end; `error`: the queue
 *                                     ended on an error (`call end {error}`, or the owner's own
 *                                     `q.error(e)`): the handle's consumers, once drained, error with it
 *                                     instead of completing. It comes before `drained` on the link, so a
 *                                     handle knows the error before its last fetch is answered.
 *   handle → owner  `detach`          the handle closed (or was collected): its credits are refunded, its
 *                                     leases go back to the front, its requests are withdrawn. What it holds
 *                                     (got, not done) stays held until `done`/`requeue` or the link closes.
 *   owner → handle  `unknown`         the owner does not (or no longer) serve this queue
 *
 * Producing (credits):
 *   `want {n}`        → asks for n more slots; waits in line with the owner's own putters, granted as slots free
 *   ← `credit {n}`      slots reserved for this link (one `want` may be answered by several grants)
 *   `put {items}`     → spends one credit per item; never waits at the owner
 *   `refund {n}`      → unused credits back (after an idle turn, at the end)
 *   `unwant`          → withdraws the `want` still in line
 *   `want {n, try}`   → ← `credit {n, try}` at once, possibly n = 0 (a non-blocking put)
 *
 * Consuming (leases, named by delivery tags):
 *   `fetch {n}`       → parks n waiters; each item they get is *leased* to this link
 *   ← `items {tag, items, attempts?}`  the leased items, in queue order: `items[i]` has delivery tag
 *                       `tag + i`; `attempts[i]` counts the attempts on it that did not finish it (see
 *                       Attempts), present only on a message carrying an item that has any
 *   `fetch {n, try}`  → ← `items {tag, items, try}` at once, possibly empty (a non-blocking get)
 *   `unfetch`         → withdraws the parked waiters; ← `unfetched {n}` says how many it withdrew
 *   `ack {tag, n, hold?, done?}` → the leases `tag … tag+n-1` reached the application: their slots are
 *                       free. JoinableQueue: the owner *holds* them (its own copies) until done. Plain queue:
 *                       held only with `hold` (taken by `consume`, whose run may still put them back).
 *                       `done` finishes held items as a `done` message would (checked with the ack).
 *                       A plain queue's handle sends the ack before it hands the item over, and hands it
 *                       over only once the ack has left its process (or, between threads, once it wrote
 *                       the item's tag in its shared word); a JoinableQueue's acks go with the turn.
 *   `giveback {tags}` → leases not used: back to the front, in tag order
 *   `done {tags}`     → held items are finished (JoinableQueue: their tasks close, sent with the
 *                       turn); a plain queue's handle sends them with its next `ack {done}`, or alone
 *                       a moment later
 *   `requeue {tags, failed?}` → held items back to the front, in the order named: the owner's copies,
 *                       untouched by whatever the consumer did with its own; `failed` names those of them
 *                       whose attempt failed (`consume`'s run errored): their attempt count goes up by one
 *   ← `drained`         ended and nothing left: parked waiters will never be served
 *
 * Calls: `call {rid, op, error?}` ← `reply {rid, value? | error?}`; `uncall {rid}` withdraws a waiting `join`.
 *   `qsize` (queued + leased), `full` (1 when a `want {try}` would get nothing now), `end` (1 when
 *   this call ended the queue, 0 when it had ended already; with `error`, the error it ends on: a
 *   handle's `q.error(e)`, or a failed put of its Observer face; `error` on any other op is a
 *   `ProtocolError`), `join`
 *   (answers once no task is open), `flush` (answers once everything sent before it is applied),
 *   `pin` (a new pin tied to this link), `unfinished` (JoinableQueue: the open tasks now; a handle
 *   whose `join({ timeout })` ran out asks it after its `uncall`, for the `Unfinished` error). A call
 *   on a queue the owner no longer serves is answered (`flush` with success, the others with a
 *   `ClosedError`), never left waiting.
 *
 * Attempts (poison items): the owner counts, per item, the attempts that did not finish it: one more
 * for each held item a lost link had (its consumer died before `done`: a JoinableQueue's redelivery)
 * and for each tag a `requeue` names in `failed`. Leases given back (`giveback`, `detach`, a lost link's
 * leases) were never attempted: their count stays. The count travels with the item in `items`, and
 * stays with it through give-backs and requeues, so it survives any number of redeliveries between
 * any processes. An item never attempted carries nothing (no field, no allocation at the owner); a
 * message folds items into it only while none of them has a count.
 *
 * Pins (a description in flight): exporting a handle makes a *pin* at the owner before the
 * description leaves (the owner's own export locally; another runtime's with `call pin`). The
 * description carries it; the runtime that revives it sends it in its `attach`, which removes it.
 * A description that never arrives is unpinned by its sender (`unpin {pin}`), and the pins a link
 * made go when that link closes. While a pin is out, the owner keeps serving the queue.
 *
 * ## Invariants (the owner checks every message against them on arrival)
 *
 * - occupied = queued + reserved + leased ≤ maxsize, except after give-backs, requeues and a lost
 *   link's returns (accepted items are never dropped, so they may take the queue over for a while).
 * - reserved = the sum of the sessions' credits; a `put` carries at most the credits its session holds.
 * - Delivery tags are issued per session from 1, one by one, each once, in the order items are
 *   sent. A tag moves leased → (`ack`) → held → (`done` | `requeue`) → gone, or leased →
 *   (`giveback`) → gone, and a lost link returns its leases (and a JoinableQueue's held items) —
 *   except, between threads, the leases up to the tag in the handle's shared word, which reached
 *   its application: the owner fences the word (the handle can no longer advance it) and drops them.
 *   Every tag a message names must be in the state that message moves it out of, in that link's
 *   session, and named once; otherwise it is a `ProtocolError`: the link is dropped and nothing of
 *   that message is applied. The handle checks its side too: `items` must carry the next tags.
 * - A `requeue`'s `failed` names only tags that same message requeues; an `items` message's
 *   `attempts` has one count per item (the handle checks it).
 * - Parked fetch waiters per session ≤ `MAX_FETCH`: a handle keeps what it asked for and was not
 *   answered (items, or `unfetched`) within that by its own count, so a `fetch` beyond it is a
 *   `ProtocolError`.
 * - JoinableQueue: open tasks = items queued + leased + held (by a session, or by the owner's own
 *   handle); `join` answers when none is open.
 * - drained = ended, nothing queued, nothing leased, nothing reserved.
 */
import type { ErrorInfo } from '../error-codec.js';
import { count, isArray, isCount, isCounts, isErrorInfo, isSeq, isString, isTags, optional, type Shape } from './checks.js';

// ---- queue: handle → owner ---------------------------------------------------

/** The first message of every handle (see the conversation above). */
export interface AttachMsg {
  t: 'attach';
  q: string;
  /** The pin of the description this handle was revived from. */
  pin?: number;
  /**
   * Between threads of one process: the index of the shared word in which
   * this handle keeps the last delivery tag it handed to its application.
   */
  word?: number;
  /** Where the handle runs, as users read it (`'pid 1234'`, `'pid 1234 thread 2'`): the owner names it in warnings. */
  where?: string;
}
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
/** Withdraws fetch requests the owner has not served yet; answered by `unfetched`. */
export interface UnfetchMsg {
  t: 'unfetch';
  q: string;
}
/** The leases `tag` … `tag + n - 1` reached the application: their slots are free. */
export interface AckMsg {
  t: 'ack';
  q: string;
  tag: number;
  n: number;
  /** Plain queue: keep them held (they may come back by `requeue`) until `done`. */
  hold?: true;
  /** Held items finished since the last ack, as a `done` would say (checked with the ack, applied after it). */
  done?: number[];
}
/**
 * The leases with these delivery tags were not used: back to the front of
 * the queue, in tag order. (Items still on their way are not among them: the
 * owner takes them back when the handle detaches.)
 */
export interface GivebackMsg {
  t: 'giveback';
  q: string;
  tags: number[];
}
/** The held items with these tags are finished (JoinableQueue: their tasks close). */
export interface DoneMsg {
  t: 'done';
  q: string;
  tags: number[];
}
/** Held items back to the front, in this order: the owner puts back its own copies. */
export interface RequeueMsg {
  t: 'requeue';
  q: string;
  tags: number[];
  /** Those of `tags` whose attempt failed: their attempt count goes up by one. */
  failed?: number[];
}
export type CallOp = 'qsize' | 'full' | 'end' | 'join' | 'flush' | 'pin' | 'unfinished';
/** A request answered by a `reply` with the same `rid`. `flush` answers once everything sent before it is in. */
export interface CallMsg {
  t: 'call';
  q: string;
  rid: number;
  op: CallOp;
  /** `end` only: the error the queue ends on (consumers error with it once drained). */
  error?: ErrorInfo;
}
/** Withdraws a pending call (a `join` nobody waits for any more). */
export interface UncallMsg {
  t: 'uncall';
  q: string;
  rid: number;
}
/** A description this runtime sent never arrived: its pin goes. */
export interface UnpinMsg {
  t: 'unpin';
  q: string;
  pin: number;
}
/** The handle closed: refund credits, give back leases, withdraw requests. */
export interface DetachMsg {
  t: 'detach';
  q: string;
}

// ---- queue: owner → handle ---------------------------------------------------

/** The answer to `attach`: the first delivery tag of this attachment. */
export interface AttachedMsg {
  t: 'attached';
  q: string;
  tag: number;
}

export interface CreditMsg {
  t: 'credit';
  q: string;
  n: number;
  /** The answer to a `want` marked `try` (n may be 0). */
  try?: true;
}
/** Leased items, in queue order: `items[i]` has delivery tag `tag + i`. */
export interface ItemsMsg {
  t: 'items';
  q: string;
  tag: number;
  items: unknown[];
  /**
   * `attempts[i]`: the unfinished attempts `items[i]` has been through.
   * Absent when none of the items has any (the common case).
   */
  attempts?: number[];
  /** The answer to a `fetch` marked `try` (items may be empty). */
  try?: true;
}
/** An `unfetch` withdrew `n` parked fetch waiters. */
export interface UnfetchedMsg {
  t: 'unfetched';
  q: string;
  n: number;
}
/** The queue has ended: puts are refused from now on (credits held are void). */
export interface EndedMsg {
  t: 'ended';
  q: string;
  /** The queue ended on this error: consumers error with it once drained. */
  error?: ErrorInfo;
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
  | AttachMsg
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
  | UnpinMsg
  | DetachMsg;
export type QueueResponse = AttachedMsg | CreditMsg | ItemsMsg | UnfetchedMsg | EndedMsg | DrainedMsg | ReplyMsg | UnknownMsg;

/** Every request type, for routing. */
export const QUEUE_REQUESTS: readonly QueueRequest['t'][] = [
  'attach',
  'put',
  'want',
  'unwant',
  'refund',
  'fetch',
  'unfetch',
  'ack',
  'giveback',
  'done',
  'requeue',
  'call',
  'uncall',
  'unpin',
  'detach',
];

/**
 * The most fetch waiters one session may have parked at the owner (and the
 * most items one `fetch` may ask for): the owner holds a waiter for each.
 * 2^16 is far beyond any prefetch window a consumer needs (the default is
 * 16; `prefetch: Infinity` asks for this many), and bounds what one link can
 * make the owner hold to a few MB per queue.
 */
export const MAX_FETCH = 2 ** 16;

const CALL_OPS: readonly unknown[] = ['qsize', 'full', 'end', 'join', 'flush', 'pin', 'unfinished'] satisfies CallOp[];
const isOp = (v: unknown): boolean => CALL_OPS.includes(v);
const isTrue = (v: unknown): boolean => v === true;
const queue = { q: isString };

/** The fields each queue message must carry, checked before anything is applied. */
export const QUEUE_SHAPES: Record<QueueRequest['t'] | QueueResponse['t'], Shape> = {
  attach: { ...queue, pin: optional(isSeq), word: optional(isSeq), where: optional(isString) },
  put: { ...queue, items: isArray },
  want: { ...queue, n: isCount },
  unwant: queue,
  refund: { ...queue, n: isCount },
  fetch: { ...queue, n: count(MAX_FETCH) },
  unfetch: queue,
  ack: { ...queue, n: isCount, tag: isSeq, hold: optional(isTrue), done: optional(isTags) },
  giveback: { ...queue, tags: isTags },
  done: { ...queue, tags: isTags },
  requeue: { ...queue, tags: isTags, failed: optional(isTags) },
  call: { ...queue, rid: isSeq, op: isOp, error: optional(isErrorInfo) },
  uncall: { ...queue, rid: isSeq },
  unpin: { ...queue, pin: isSeq },
  detach: queue,
  attached: { ...queue, tag: isSeq },
  credit: { ...queue, n: isCount },
  items: { ...queue, tag: isSeq, items: isArray, attempts: optional(isCounts) },
  unfetched: { ...queue, n: count(MAX_FETCH) },
  ended: { ...queue, error: optional(isErrorInfo) },
  drained: queue,
  reply: { rid: isSeq, value: optional((v) => typeof v === 'number') },
  unknown: queue,
};
