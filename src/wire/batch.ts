import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { ProtocolError } from '../errors.js';
import { DEFAULT_MAX_FRAME, FRAME_HEADER } from './framing.js';
import type { AckMsg, CreditMsg, DoneMsg, ItemsMsg, Message, PipeAckMsg, PipeDataMsg, PutMsg, RefundMsg } from './protocol/index.js';
import { splitMessage } from './split-message.js';
import { withWireErrors } from './wire-errors.js';

/**
 * One frame's payload is a batch of messages encoded with one msgpackr call
 * (structured-clone mode: Map, Set, Date, BigInt, typed arrays, Errors,
 * cycles), items inline as values. The copy a `put` must take at the call is
 * taken then (see `fastClone`); this only encodes, once per flush.
 */
const packr = new Packr({ structuredClone: true });
// Binary values are copied out of the frame: an item must not keep a whole frame alive, nor see its neighbours.
const unpackr = new Unpackr({ structuredClone: true, copyBuffers: true });

/**
 * msgpackr writes each batch after the previous one in a buffer it keeps
 * and grows, and never shrinks it: past this size, it starts over in a small
 * one (what was written stays valid: it still holds its old buffer).
 */
const KEEP_BUFFER_BYTES = 1024 * 1024;

function pack(messages: readonly Message[], header: number): Buffer {
  const buffer = withWireErrors(() => (header > 0 ? packr.pack(messages, RESERVE_START_SPACE | header) : packr.pack(messages)) as Buffer);
  if (buffer.buffer.byteLength > KEEP_BUFFER_BYTES) packr.useBuffer(Buffer.allocUnsafeSlow(8192));
  return buffer;
}

/** A batch's payload alone (a view into the encoder's buffer: copy it to keep it). */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  return pack(messages, 0);
}

export interface FrameOptions {
  /** Bytes in front of each payload for its length (big-endian), filled in here: 4 on a socket, 0 where messages keep their boundaries. */
  header?: number;
  /** The most bytes one payload may take. */
  limit?: number;
  /** An encoder that runs out of stack leaves this message and those after it for later (a fresh stack) instead of dropping it. */
  deferOnOverflow?: boolean;
}

export interface DroppedMessage {
  readonly message: Message;
  readonly error: unknown;
}

export interface EncodedFrames {
  /** Payloads (with their headers), in order; each a view into the encoder's buffer. */
  readonly frames: Uint8Array[];
  /** Messages that could not be encoded at all (an rxmp bug, or one value too large for any frame). */
  readonly dropped: DroppedMessage[];
  /** With `deferOnOverflow`: the messages, in order, still to encode. */
  rest?: Message[];
}

/**
 * Encodes a batch as frames of at most `limit` bytes, in order: one frame
 * when it fits (almost always), otherwise split (the batch in halves, then
 * a message's items or data in halves). A message that cannot be encoded
 * even alone is dropped and listed; a put that loses items that way gives
 * their credits back (a `refund` in its place), so the owner's count holds.
 * Never throws.
 */
export function encodeFrames(messages: readonly Message[], options: FrameOptions = {}): EncodedFrames {
  const out: EncodedFrames = { frames: [], dropped: [] };
  encodeInto(messages, options.header ?? 0, options.limit ?? DEFAULT_MAX_FRAME, options.deferOnOverflow === true, out);
  return out;
}

function encodeInto(messages: readonly Message[], header: number, limit: number, defer: boolean, out: EncodedFrames): void {
  if (out.rest) {
    out.rest.push(...messages);
    return;
  }
  let payload: Buffer | undefined;
  let failure: unknown;
  try {
    payload = pack(messages, header);
  } catch (error) {
    failure = error;
    packr.useBuffer(Buffer.allocUnsafeSlow(8192)); // start clean after a failed write
  }
  if (payload && payload.byteLength - header <= limit) {
    if (header === FRAME_HEADER) payload.writeUInt32BE(payload.byteLength - header, 0);
    out.frames.push(payload);
    return;
  }
  if (defer && isStackOverflow(failure)) {
    out.rest = [...messages];
    return;
  }
  const parts = messages.length > 1 ? halves(messages) : splitMessage(messages[0] as Message);
  if (parts) {
    for (const part of parts) encodeInto(part, header, limit, defer, out);
    return;
  }
  const message = messages[0] as Message;
  const error =
    failure ?? new RangeError(`a message of ${(payload as Buffer).byteLength - header} bytes is more than a frame may carry (${limit})`);
  out.dropped.push({ message, error });
  const refund = refundFor(message);
  if (refund) encodeInto([refund], header, limit, defer, out);
}

function halves(messages: readonly Message[]): Message[][] {
  const middle = Math.ceil(messages.length / 2);
  return [messages.slice(0, middle), messages.slice(middle)];
}

/** Items a producer put with credits and that will never arrive: their slots go back. */
function refundFor(message: Message): RefundMsg | undefined {
  return message.t === 'put' && message.items.length > 0 ? { t: 'refund', q: message.q, n: message.items.length } : undefined;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Decodes a frame's payload; anything but a batch of messages is a `ProtocolError`. */
export function decodeBatch(bytes: Uint8Array): Message[] {
  let decoded: unknown;
  try {
    decoded = unpackr.unpack(bytes);
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
      // Leased items name their first delivery tag: only the next tags extend a message.
      if (next.t === 'items' && (l as ItemsMsg).tag + l.items.length !== next.tag) return false;
      // Items with attempt counts keep their own message (the counts line up with its items).
      if (next.t === 'items' && ((l as ItemsMsg).attempts || next.attempts)) return false;
      for (const item of next.items) l.items.push(item);
      return true;
    }
    case 'ack':
    case 'credit': {
      const l = last as AckMsg | CreditMsg;
      if (l.q !== next.q || (l as CreditMsg).try || (next as CreditMsg).try) return false;
      // Acks name their first delivery tag: only the next tags, held alike, extend a message.
      if (next.t === 'ack' && ((l as AckMsg).tag + l.n !== next.tag || (l as AckMsg).hold !== next.hold)) return false;
      if (next.t === 'ack' && next.done) {
        const ack = l as AckMsg;
        if (ack.done) for (const tag of next.done) ack.done.push(tag);
        else ack.done = [...next.done];
      }
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
      if (l.p !== next.p || l.e !== next.e || l.seq + l.data.length !== next.seq) return false;
      if (next.raw) {
        const shifted = next.raw.map((i) => i + l.data.length);
        if (l.raw) l.raw.push(...shifted);
        else l.raw = shifted;
      }
      for (const d of next.data) l.data.push(d);
      return true;
    }
    case 'pack': {
      const l = last as PipeAckMsg;
      if (l.p !== next.p || l.e !== next.e) return false;
      l.received = Math.max(l.received, next.received);
      l.consumed = Math.max(l.consumed, next.consumed);
      return true;
    }
    default:
      return false;
  }
}
