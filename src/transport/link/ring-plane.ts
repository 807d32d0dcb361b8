import { ByteRing, RING_HEADER_BYTES } from '../../core/ring/byte-ring.js';
import { nativeOrUndefined } from '../../native/native.js';
import type { PipeDataMsg, PutMsg } from '../../wire/protocol/index.js';
import { RECORD, RecordReader, RecordWriter } from './ring-records.js';
import type { PipeMessage } from '../../core/pipe/pipe-channel.js';
import { AtomicsWakes, DoorbellWakes, type RingWakes, type Sleeper } from './ring-wakes.js';

/**
 * The data plane of a link between two runtimes of one machine: two rings in
 * shared memory (one each way), so frames travel with no syscall while the
 * reader is awake, and a reader that sleeps is woken (see `ring-wakes`). The
 * socket or port stays the control plane: the handshake, liveness (its close
 * ends the link, after the reader has drained its ring), and frames too
 * large for a ring.
 *
 * Between processes (a socket link), the two sides agree on rings in a
 * memfd the client made (see `ring-handshake`), and wake each other through
 * doorbells. Between threads of one process (a MessagePort link) there is
 * nothing to negotiate: each side that wants to makes a ring for what it
 * writes, in a SharedArrayBuffer, posts it on the port (`writeTo`), and
 * writes every later frame to it; the peer reads it from the moment the
 * announcement arrives (`readFrom`), after every batch posted before it. The
 * two sides wake each other with `Atomics.notify`.
 *
 * - A frame larger than half a ring goes on the socket or port, announced by
 *   an empty record in the ring, so the reader takes it in its place.
 * - A put of one item or a pipe message, written while nothing else waits
 *   to be written, is a record of its own (see `ring-records`), so the call
 *   resolves with it in shared memory (see `Link.writesThrough`).
 *
 * Invariants: frames are delivered in the order they were written, each
 * once; a frame written to a ring before its writer died is read (the
 * reader drains its ring before it reports the link closed, a thread
 * terminated in the middle of a turn included).
 */

/** How long an exiting process or thread waits for its peer to make room in a full ring. */
export const EXIT_RING_MS = 2000;

/** Data bytes of each ring (a power of two): 1 MiB. */
export const RING_BYTES = 1 << 20;

const MARKER = new Uint8Array(0);

/**
 * Links between threads of one process carry their frames in rings (plain
 * `SharedArrayBuffer`s, woken with `Atomics.notify`: no addon needed), and
 * so do links between processes where the addon loads (memfd rings, woken
 * through doorbells). `RXMP_RINGS=off` keeps every link on its socket or
 * port: the fallback where there is no addon, and what the socket and port
 * rows of `npm run bench` measure.
 */
export function ringsWanted(between: 'processes' | 'threads'): boolean {
  if (process.env.RXMP_RINGS === 'off') return false;
  return between === 'threads' || nativeOrUndefined() !== undefined;
}

/** What the plane needs of its link. */
export interface PlaneIo {
  /** Writes a frame (its header in front) to the socket, in order with the link's other socket writes. */
  writeSocket(frame: Uint8Array): void;
  /** A frame's payload arrived (from a ring or, announced, from the socket). */
  deliver(payload: Uint8Array): void;
  /** A message arrived as records of its own (see `ring-records`). */
  deliverMessage(message: PutMsg | PipeDataMsg): void;
  /** Pending ring writes all went out: the link's drain waiters may go. */
  drained(): void;
  /** Something here broke the protocol. */
  fail(error: Error): void;
}

export class RingPlane {
  private out: ByteRing | undefined;
  private in: ByteRing | undefined;
  /** How the two sides wake each other, once rings are in use. */
  private wakes: RingWakes | undefined;
  /** Writing to `out` (after the switch); frames waiting for room, in order. */
  private writing = false;
  private readonly pending: Uint8Array[] = [];
  /** Reading `in` (after the switch); socket payloads that came for markers not yet reached. */
  private reading = false;
  private readonly fromSocket: Uint8Array[] = [];
  /** A marker was read: the ring waits until its socket frame has come. */
  private waitingForSocket = false;
  private done = false;

  /** Records read from the ring, folded into messages (see `ring-records`). */
  private readonly recordsIn: RecordReader;

  /** What a wake-up does. */
  private readonly sleeper: Sleeper = {
    readable: () => {
      if (!this.done && this.reading) this.drain();
    },
    writable: () => {
      if (!this.done && this.pending.length > 0) this.flush();
    },
  };

  constructor(
    private readonly io: PlaneIo,
    private readonly frameHeader: number,
  ) {
    this.recordsIn = new RecordReader((message) => {
      if (!this.done) io.deliverMessage(message);
    });
  }

  /** Between threads: memory for the ring this side will write (see `writeTo`). */
  static threadRing(): SharedArrayBuffer {
    return new SharedArrayBuffer(RING_HEADER_BYTES + RING_BYTES);
  }

  /** Between threads: from now on, frames go to `buffer`, a `threadRing` just announced to the peer. */
  writeTo(buffer: SharedArrayBuffer): void {
    const ring = new ByteRing(buffer, 0, buffer.byteLength);
    ring.init();
    this.wakes ??= new AtomicsWakes(this.sleeper);
    this.out = ring;
    this.startWriting();
  }

  /** Between threads: the peer announced the ring it writes; read it from now on. */
  readFrom(buffer: SharedArrayBuffer): void {
    if (this.in || buffer.byteLength !== RING_HEADER_BYTES + RING_BYTES) {
      this.io.fail(new Error(this.in ? 'a second ring announced on one thread link' : `a ring of ${buffer.byteLength} bytes`));
      return;
    }
    this.in = new ByteRing(buffer, 0, buffer.byteLength);
    this.wakes ??= new AtomicsWakes(this.sleeper);
    this.startReading();
  }

  /** Between processes (see `ring-handshake`): this side reads `toUs` and writes `toThem`, woken through doorbells. */
  useProcessRings(toUs: ByteRing, toThem: ByteRing): void {
    const wakes = new DoorbellWakes(this.sleeper);
    wakes.own(toUs, toThem);
    this.wakes = wakes;
    this.in = toUs;
    this.out = toThem;
  }

  /** Every later frame goes to the ring. */
  startWriting(): void {
    this.writing = true;
  }

  /** The peer writes to the ring from now on: read it. */
  startReading(): void {
    if (!this.in) return;
    this.reading = true;
    this.drain();
  }

  /** Something the peer sent broke the protocol. */
  fail(error: Error): void {
    this.io.fail(error);
  }

  /** Is the link reading from the ring now (so socket payloads are the marked ones)? */
  get readsRing(): boolean {
    return this.reading;
  }

  /** Is the link writing to the ring now? */
  get writesRing(): boolean {
    return this.writing;
  }

  /** Frames still waiting for room in the ring. */
  get unsent(): number {
    return this.pending.length;
  }

  /** A socket payload while reading the ring: the frame a marker stands for. */
  socketFrame(payload: Uint8Array): void {
    if (!this.waitingForSocket) {
      this.fromSocket.push(payload); // its marker is still ahead in the ring
      return;
    }
    // The marker read last stands for this frame: deliver it in its place, then go on with the ring.
    this.waitingForSocket = false;
    this.io.deliver(payload);
    if (!this.done) this.drain();
  }

  /**
   * Writes a message of its own (a record: the head `recordsOut` built
   * last, then `body`) to the ring at once, if nothing else waits to be
   * written and it fits now; false: nothing done (it goes the usual way, in
   * a batch).
   */
  tryWriteRecord(body: Uint8Array): boolean {
    const ring = this.out;
    if (!ring || !this.writing || this.pending.length > 0) {
      this.recordsOut.notWritten();
      return false;
    }
    const records = this.recordsOut;
    if (records.headLength + body.length > ring.maxRecord || !ring.tryWrite(records.head, body, records.headLength)) {
      records.notWritten();
      return false;
    }
    if (ring.readerToWake()) this.wakes?.wakeReader(ring);
    return true;
  }

  /** Heads of the records this side writes. */
  readonly recordsOut = new RecordWriter();

  /** A put of one item as a record of its own (see `tryWriteRecord`); the caller checked that nothing of the link waits. */
  tryPut(q: string, item: unknown): boolean {
    const records = this.recordsOut;
    if (!this.writing || !records.putHead(q)) return false;
    const body = encodedOrUndefined(() => records.body(item));
    return body !== undefined && this.tryWriteRecord(body);
  }

  /** Pipe message `seq` toward end `e` of pipe `p` as a record of its own (as `tryPut`). */
  trySend(p: string, e: number, seq: number, message: PipeMessage): boolean {
    const records = this.recordsOut;
    const raw = message instanceof Uint8Array;
    if (!this.writing || !records.pdataHead(p, e, seq, raw)) return false;
    const body = raw ? message : encodedOrUndefined(() => records.body(message.value));
    return body !== undefined && this.tryWriteRecord(body);
  }

  /** Writes frames (each with its header in front): to the ring, in order, waiting for room as needed. */
  write(frames: Uint8Array[]): void {
    for (const frame of frames) this.pending.push(frame);
    this.flush();
  }

  /** The process exits: writes what is pending, waiting (up to `limitMs`) for the reader to make room. */
  flushAtExit(limitMs: number): boolean {
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const until = Date.now() + limitMs;
    for (;;) {
      this.flush();
      if (this.pending.length === 0) return true;
      if (Date.now() > until) return false;
      Atomics.wait(nap, 0, 0, 1);
    }
  }

  /**
   * Delivers now what the peer has written to the ring so far (not within a
   * drain already under way): news the peer sent on another channel (a
   * child's output, on its control channel) may name what it wrote here first.
   */
  readNow(): void {
    if (this.reading && !this.draining && !this.done) this.drain();
  }

  /** The socket closed: what the ring still holds was written before; deliver it, then stop. */
  drainAll(): void {
    if (this.reading) this.drain();
    this.stop();
  }

  stop(): void {
    this.done = true;
    this.wakes?.stop();
  }

  private drain(): void {
    const ring = this.in;
    if (!ring || this.draining) return;
    this.draining = true;
    try {
      this.drainRing(ring);
    } catch (error) {
      this.recordsIn.drop();
      this.io.fail(error as Error);
    } finally {
      this.draining = false;
    }
  }

  /** A drain is under way (a handler it called may ask for another: it is the same drain). */
  private draining = false;

  private drainRing(ring: ByteRing): void {
    while (!this.waitingForSocket) {
      for (let record = ring.tryRead(); record; record = ring.tryRead()) {
        if (record.length > 0 && record[0] === RECORD) {
          this.recordsIn.read(record);
          continue;
        }
        // Whatever came before this record is delivered before it.
        this.recordsIn.flush();
        if (this.done) return;
        if (record.length > 0) this.io.deliver(Buffer.from(record.buffer, record.byteOffset, record.length));
        else {
          const payload = this.fromSocket.shift();
          if (!payload) {
            this.waitingForSocket = true; // its frame is on its way on the socket
            break;
          }
          this.io.deliver(payload);
        }
        if (this.done) return;
      }
      this.recordsIn.flush();
      if (ring.writerToWake()) this.wakes?.wakeWriter(ring);
      if (this.waitingForSocket || this.done) return;
      if (ring.readerSleeps() && this.wakes?.sleepReading(ring) !== false) return;
    }
  }

  private flush(): void {
    const ring = this.out;
    if (!ring || !this.writing) return;
    for (;;) {
      let wrote = false;
      while (this.pending.length > 0) {
        const frame = this.pending[0] as Uint8Array;
        const payload = frame.subarray(this.frameHeader);
        if (payload.length > ring.maxRecord) {
          if (!ring.tryWrite(MARKER)) break;
          this.io.writeSocket(frame);
        } else if (!ring.tryWrite(payload)) break;
        this.pending.shift();
        wrote = true;
      }
      if (wrote && ring.readerToWake()) this.wakes?.wakeReader(ring);
      if (this.pending.length === 0) {
        this.io.drained();
        return;
      }
      const next = (this.pending[0] as Uint8Array).length - this.frameHeader;
      if (ring.writerSleeps(next > ring.maxRecord ? 0 : next) && this.wakes?.sleepWriting(ring) !== false) return;
    }
  }
}

/** What `encode` gives, or undefined if it throws (the usual way then reports it). */
function encodedOrUndefined(encode: () => Uint8Array): Uint8Array | undefined {
  try {
    return encode();
  } catch {
    return undefined;
  }
}
