import { ProtocolError } from '../errors.js';

/** Bytes of the length prefix in front of every frame (big-endian uint32). */
export const FRAME_HEADER = 4;

/** Largest frame accepted by default: a peer announcing more is cut off. */
export const DEFAULT_MAX_FRAME = 256 * 1024 * 1024;

/**
 * The most bytes one item (a queue item, a pipe message) may take encoded:
 * a frame less room for the message around it. A batch larger than a frame
 * is split across frames, but one item cannot be, so a bigger one is refused
 * at the `put`/`send` that would copy it (see `fastClone`).
 */
export const MAX_ITEM_BYTES = DEFAULT_MAX_FRAME - 4096;

/** Prefixes `payload` with its length. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.set(payload, FRAME_HEADER);
  return out;
}

/**
 * Reassembles length-prefixed frames from a byte stream that arrives in
 * arbitrary chunks. Throws `ProtocolError` as soon as a header announces a
 * frame larger than `maxFrame`, before buffering any of it.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;

  constructor(private readonly maxFrame = DEFAULT_MAX_FRAME) {}

  /** Bytes received but not yet part of a complete frame. */
  get pending(): number {
    return this.buffered;
  }

  /** Feeds a chunk; returns every frame it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER) break;
        const length = this.peekHeader();
        if (length > this.maxFrame) {
          throw new ProtocolError(`frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit`);
        }
        this.consume(FRAME_HEADER);
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.consume(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private peekHeader(): number {
    const first = this.chunks[0] as Buffer;
    if (first.byteLength >= FRAME_HEADER) return first.readUInt32BE(0);
    return Buffer.concat(this.chunks).readUInt32BE(0);
  }

  /** Removes and returns the next `n` bytes (a view when they sit in one chunk). */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.byteLength === n) {
      this.chunks.shift();
      return first;
    }
    if (first.byteLength > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.chunks[0] as Buffer;
      const take = Math.min(chunk.byteLength, n - offset);
      chunk.copy(out, offset, 0, take);
      offset += take;
      if (take === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }
}
