import { ByteRing, RING_HEADER_BYTES } from '../../core/ring/byte-ring.js';
import { Mapping, type MemoryDescriptor } from '../shm/mapping.js';
import { RING_BYTES, type RingPlane } from './ring-plane.js';

/**
 * How a socket link between two processes moves its data plane into shared
 * memory (see `ring-plane`). Link-control frames travel on the socket; their
 * payload starts with 0xC1, a byte msgpack never uses, so they never pass
 * for a batch, then the kind, then a JSON body.
 *
 * The conversation (C: the side that connected, S: the listener's side):
 * - C → S  OFFER { memory }: the memory of both rings, made by C. C goes
 *   on writing to the socket.
 * - S maps it: S → C ACCEPT, and S writes every later frame to the S→C
 *   ring; or S → C REFUSE, and both stay on the socket.
 * - C, on ACCEPT: reads the S→C ring from then on; C → S SWITCHED, its
 *   last frame on the socket, then C writes to the C→S ring. S, on
 *   SWITCHED, reads the C→S ring.
 *
 * Invariants: OFFER is the first frame of the link, before any batch; each
 * side switches its writing once, right after the last frame it sends on
 * the socket before the ring (ACCEPT for S, SWITCHED for C), so the peer
 * reads the ring exactly from that frame on; a side that cannot map the
 * memory refuses, and nothing moves.
 */

const CONTROL = 0xc1;
const OFFER = 1;
const ACCEPT = 2;
const REFUSE = 3;
const SWITCHED = 4;

/** Is this socket payload a link-control frame? */
export function isControl(payload: Uint8Array): boolean {
  return payload[0] === CONTROL;
}

/** Both rings of a link, back to back in one mapping: the first written by C, the second by S. */
const BYTES = RING_HEADER_BYTES + RING_BYTES;

export class RingHandshake {
  /** C, between OFFER and its answer: the rings it made. */
  private offered: { mapping: Mapping; toThem: ByteRing; toUs: ByteRing } | undefined;
  /** The memory of the rings in use (kept with the link). */
  private mapping: Mapping | undefined;

  constructor(
    private readonly plane: RingPlane,
    private readonly writeSocket: (frame: Uint8Array) => void,
    private readonly frameHeader: number,
  ) {}

  /** C: offers the rings (on a fresh link, before any other frame). */
  offer(): void {
    const mapping = Mapping.anonymous(2 * BYTES);
    const toThem = new ByteRing(mapping.buffer, 0, BYTES);
    const toUs = new ByteRing(mapping.buffer, BYTES, BYTES);
    toThem.init();
    toUs.init();
    this.offered = { mapping, toThem, toUs };
    this.send(OFFER, { memory: mapping.describe('process') });
  }

  /** A link-control frame from the peer. */
  control(payload: Uint8Array): void {
    const kind = payload[1];
    const offered = this.offered;
    if (kind === OFFER && !this.mapping) return this.accept(payload);
    if (kind === ACCEPT && offered) {
      this.offered = undefined;
      this.mapping = offered.mapping;
      this.plane.useProcessRings(offered.toUs, offered.toThem);
      this.plane.startReading();
      this.send(SWITCHED, {});
      this.plane.startWriting();
      return;
    }
    if (kind === REFUSE && offered) {
      this.offered = undefined;
      return;
    }
    if (kind === SWITCHED && this.mapping && !offered) return this.plane.startReading();
    this.plane.fail(new Error(`an unexpected link-control frame (${kind})`));
  }

  /** S: maps the rings C offered and switches its writing to them, or refuses. */
  private accept(payload: Uint8Array): void {
    let rings: [toUs: ByteRing, toThem: ByteRing];
    try {
      const { memory } = JSON.parse(new TextDecoder().decode(payload.subarray(2))) as { memory: MemoryDescriptor };
      if (memory?.size !== 2 * BYTES) throw new Error(`rings of ${memory?.size} bytes`);
      const mapping = Mapping.reviveOwn(memory);
      rings = [new ByteRing(mapping.buffer, 0, BYTES), new ByteRing(mapping.buffer, BYTES, BYTES)];
      this.mapping = mapping;
    } catch {
      this.send(REFUSE, {});
      return;
    }
    this.plane.useProcessRings(...rings);
    this.send(ACCEPT, {});
    this.plane.startWriting(); // every later frame goes to the ring (the peer reads it after ACCEPT)
  }

  private send(kind: number, body: object): void {
    const json = new TextEncoder().encode(JSON.stringify(body));
    const frame = new Uint8Array(this.frameHeader + 2 + json.length);
    new DataView(frame.buffer).setUint32(0, 2 + json.length);
    frame[this.frameHeader] = CONTROL;
    frame[this.frameHeader + 1] = kind;
    frame.set(json, this.frameHeader + 2);
    this.writeSocket(frame);
  }
}
