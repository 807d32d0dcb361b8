import { ProtocolError } from '../errors.js';
import type { Message } from './protocol/index.js';

/** The largest count a message may carry (credits, acks): far beyond any real window. */
export const MAX_COUNT = 2 ** 30;
/** The most items one `fetch` may ask for (the owner holds a waiter for each). */
export const MAX_FETCH = 2 ** 16;

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const count =
  (max: number): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isCount = count(MAX_COUNT);
const isSeq = count(Number.MAX_SAFE_INTEGER);
const isArray: Check = (v) => Array.isArray(v);
const isTags: Check = (v) => Array.isArray(v) && v.every(isSeq);
const isEnd: Check = (v) => v === 0 || v === 1;
const isAddress: Check = (v) =>
  typeof v === 'object' && v !== null && isString((v as { id: unknown }).id) && ['string', 'undefined'].includes(typeof (v as { path: unknown }).path);
const isOp: Check = (v) => v === 'qsize' || v === 'end' || v === 'join' || v === 'flush';
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);

const queue = { q: isString };
const pipe = { p: isString, e: isEnd };

/** The fields each message type must carry, and what each must be. */
const SHAPES: Record<Message['t'], Record<string, Check>> = {
  hello: { id: isString },
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
  pdata: { ...pipe, seq: isSeq, data: isArray, raw: optional(isTags) },
  pend: { ...pipe, seq: isSeq },
  pack: { ...pipe, received: isSeq, consumed: isSeq },
  pclosed: pipe,
  pclosedok: pipe,
  pmoving: pipe,
  phello: { ...pipe, home: isAddress, received: isSeq, consumed: isSeq },
  preg: { ...pipe, gen: isSeq, home: optional(isAddress) },
  plost: { ...pipe, gen: isSeq },
  pgone: { ...pipe, at: optional(isString) },
  pwhere: { ...pipe, home: isAddress },
};

/**
 * Checks a decoded message's type and the fields the receiver relies on
 * (counts are non-negative safe integers within bounds, lists are arrays),
 * so that a broken peer is refused with a `ProtocolError` before any state
 * changes, instead of sending the receiver into a loop or a bad state.
 */
export function checkMessage(message: unknown): asserts message is Message {
  if (typeof message !== 'object' || message === null) throw new ProtocolError(`a message must be an object`);
  const t = (message as { t: unknown }).t;
  const shape = typeof t === 'string' && Object.hasOwn(SHAPES, t) ? SHAPES[t as Message['t']] : undefined;
  if (!shape) throw new ProtocolError(`unknown message type ${JSON.stringify(t)}`);
  for (const field in shape) {
    if (!(shape[field] as Check)((message as Record<string, unknown>)[field])) {
      throw new ProtocolError(`bad ${JSON.stringify(field)} in a message of type ${JSON.stringify(t)}`);
    }
  }
}
