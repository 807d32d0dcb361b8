import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { ProtocolError } from '../errors.js';
import { FRAME_HEADER } from './framing.js';
import type { AckMsg, CreditMsg, DoneMsg, ItemsMsg, Message, PipeAckMsg, PipeDataMsg, PutMsg } from './protocol/index.js';

/**
 * One frame's payload is a batch of messages encoded with one msgpackr call
 * (structured-clone mode: Map, Set, Date, BigInt, typed arrays, Errors,
 * cycles), items inline as values. The copy a `put` must take at the call is
 * taken then (see `fastClone`); this only encodes, once per turn.
 */
const packr = new Packr({ structuredClone: true });
const unpackr = new Unpackr({ structuredClone: true });

/** A batch as a length-prefixed frame, ready to write (the header is reserved in the same buffer). */
export function encodeFrame(messages: readonly Message[]): Buffer {
  const buffer = packr.pack(messages, RESERVE_START_SPACE | FRAME_HEADER) as Buffer;
  buffer.writeUInt32BE(buffer.byteLength - FRAME_HEADER, 0);
  return buffer;
}

/** A batch's payload alone (for a MessagePort, which keeps message boundaries itself). */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  return packr.pack(messages);
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
      for (const item of next.items) l.items.push(item);
      return true;
    }
    case 'ack':
    case 'credit': {
      const l = last as AckMsg | CreditMsg;
      if (l.q !== next.q || (l as CreditMsg).try || (next as CreditMsg).try) return false;
      // Acks name their first delivery tag: only the next tags, held alike, extend a message.
      if (next.t === 'ack' && ((l as AckMsg).tag + l.n !== next.tag || (l as AckMsg).hold !== next.hold)) return false;
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
      if (next.raw) (l.raw ??= []).push(...next.raw.map((i) => i + l.data.length));
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
