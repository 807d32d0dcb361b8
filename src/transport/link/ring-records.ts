import { ProtocolError } from '../../errors.js';
import { Packr, Unpackr } from 'msgpackr';
import { withWireErrors } from '../../wire/wire-errors.js';
import type { PipeDataMsg, PutMsg } from '../../wire/protocol/index.js';

/**
 * One-message records: the hot messages of a stream — a put of one item, a
 * pipe message — written into a link's ring on their own, at the call, so
 * that the call resolves with its message already in shared memory (see
 * `Link.writesThrough`), without the cost of encoding a batch around it.
 *
 * A record starts with 0xC1 (a byte msgpack never writes, so it never
 * passes for a batch), then its kind:
 *
 *   PUT:   0xC1 1, id length (1 byte), queue id (UTF-8), the item (msgpack)
 *   PDATA: 0xC1 2, id length (1 byte), pipe id (UTF-8), end (1 byte),
 *          seq (two uint32, high then low, big-endian), raw (1 byte:
 *          1 = bytes as they are), the message (its bytes if raw, else msgpack)
 *
 * A number is written as msgpack writes it without asking msgpackr (a
 * positive fixint, or a float64), and read back the same way. Other values
 * are msgpack in msgpackr's sequential mode: an object's shape is defined
 * in the first record that uses it and only referred to in later ones, so
 * the reader must read every record, in order (the ring guarantees it). A
 * record encoded and then not written (no room) would break that chain: the
 * writer then starts with a fresh encoder, which defines every shape again
 * (in the record that first uses it) before it refers to it.
 *
 * The reader folds a run of records that extend one another (puts into one
 * queue; messages to one pipe end, in sequence) into one message, as the
 * writer's batch would have, and hands it on before anything read after it.
 */
export const RECORD = 0xc1;
const PUT = 1;
const PDATA = 2;
/** The most records folded into one message. */
const RUN_MAX = 1024;
/** Bytes of a record's head besides the id: kind byte, marker, id length; and for PDATA end, seq, raw. */
const PUT_HEAD = 3;
const PDATA_HEAD = 3 + 1 + 8 + 1;

/** msgpack's float64 type byte. */
const FLOAT64 = 0xcb;

const UTF8_DECODER = new TextDecoder();
const UTF8_ENCODER = new TextEncoder();

/**
 * Builds records in scratch buffers, reused: each call's result is valid
 * until the next call of the same kind (write it out at once).
 */
export class RecordWriter {
  private readonly ids = new Map<string, Uint8Array>();
  /** The head built last: its bytes are `head[0 … headLength)`. */
  head = new Uint8Array(64);
  headLength = 0;
  private readonly number = new Uint8Array(9);
  private readonly numberView = new DataView(this.number.buffer);
  private packr = sequentialPackr();

  /** Builds the head of a put into queue `q`; false if its id is too long for a record. */
  putHead(q: string): boolean {
    const id = this.id(q);
    if (!id) return false;
    const head = this.room(PUT_HEAD + id.length);
    head[0] = RECORD;
    head[1] = PUT;
    head[2] = id.length;
    head.set(id, PUT_HEAD);
    this.headLength = PUT_HEAD + id.length;
    return true;
  }

  /** Builds the head of pipe message `seq` toward end `e` of pipe `p`; false if the id is too long. */
  pdataHead(p: string, e: number, seq: number, raw: boolean): boolean {
    const id = this.id(p);
    if (!id) return false;
    const head = this.room(PDATA_HEAD + id.length);
    head[0] = RECORD;
    head[1] = PDATA;
    head[2] = id.length;
    head.set(id, 3);
    const at = 3 + id.length;
    head[at] = e;
    writeUint32(head, at + 1, Math.floor(seq / 2 ** 32));
    writeUint32(head, at + 5, seq >>> 0);
    head[at + 9] = raw ? 1 : 0;
    this.headLength = PDATA_HEAD + id.length;
    return true;
  }

  /** A value as a record body (a view into a scratch or the encoder's buffer: write it out at once). */
  body(value: unknown): Uint8Array {
    if (typeof value !== 'number') {
      try {
        return withWireErrors(() => this.packr.pack(value));
      } catch (error) {
        this.notWritten();
        throw error;
      }
    }
    if (value >= 0 && value < 128 && Number.isInteger(value)) {
      this.number[0] = value; // -0 too: it arrives as 0, as msgpackr writes it
      return this.number.subarray(0, 1);
    }
    this.number[0] = FLOAT64;
    this.numberView.setFloat64(1, value);
    return this.number;
  }

  /** The record whose body was made last did not go out: what its body defined, the reader will never see. */
  notWritten(): void {
    this.packr = sequentialPackr();
  }

  private id(name: string): Uint8Array | undefined {
    let id = this.ids.get(name);
    if (!id) {
      id = UTF8_ENCODER.encode(name);
      if (id.length > 255) return undefined;
      if (this.ids.size >= 64) this.ids.clear(); // a link writes to a few queues and pipes at a time
      this.ids.set(name, id);
    }
    return id;
  }

  private room(n: number): Uint8Array {
    if (this.head.length < n) this.head = new Uint8Array(n * 2);
    return this.head;
  }
}

/** Reads records back into messages, folding runs (see above). */
export class RecordReader {
  private run: PutMsg | PipeDataMsg | undefined;
  private lastId = new Uint8Array(0);
  private lastName = '';

  constructor(private readonly deliver: (message: PutMsg | PipeDataMsg) => void) {}

  /** A record (copied out of the ring); its message waits in the run until `flush`. Malformed: `ProtocolError`. */
  read(record: Uint8Array): void {
    const idEnd = 3 + (record[2] as number);
    const kind = record[1];
    if (kind === PUT && idEnd < record.length) return this.put(this.name(record, idEnd), this.value(record, idEnd));
    if (kind === PDATA && idEnd + PDATA_HEAD - 3 <= record.length) {
      const e = record[idEnd] as number;
      const seq = readUint32(record, idEnd + 1) * 2 ** 32 + readUint32(record, idEnd + 5);
      const raw = record[idEnd + 9] === 1;
      const at = idEnd + PDATA_HEAD - 3;
      if ((e === 0 || e === 1) && Number.isSafeInteger(seq) && seq > 0)
        return this.pdata(this.name(record, idEnd), e, seq, raw ? record.slice(at) : this.value(record, at), raw);
    }
    throw new ProtocolError('a malformed record in the ring');
  }

  /** The value at `at` to the end of `record` (see `RecordWriter.body`). */
  private value(record: Uint8Array, at: number): unknown {
    const first = record[at] as number;
    const length = record.length - at;
    if (length === 1 && first < 128) return first;
    if (length === 9 && first === FLOAT64) {
      const float = this.float;
      for (let i = 0; i < 8; i++) float[i] = record[at + 1 + i] as number;
      return this.floatView.getFloat64(0);
    }
    try {
      return this.unpackr.unpack(record.subarray(at));
    } catch (cause) {
      throw new ProtocolError(`malformed record: ${(cause as Error).message}`, { cause });
    }
  }

  private unpackr = sequentialUnpackr();

  private readonly float = new Uint8Array(8);
  private readonly floatView = new DataView(this.float.buffer);

  /** Hands on the run read so far. */
  flush(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    this.deliver(run);
  }

  /** Drops the run (the link failed). */
  drop(): void {
    this.run = undefined;
  }

  private put(q: string, item: unknown): void {
    const run = this.run;
    if (run?.t === 'put' && run.q === q && run.items.length < RUN_MAX) {
      run.items.push(item);
      return;
    }
    this.flush();
    this.run = { t: 'put', q, items: [item] };
  }

  private pdata(p: string, e: number, seq: number, data: unknown, raw: boolean): void {
    const run = this.run;
    if (run?.t === 'pdata' && run.p === p && run.e === e && run.seq + run.data.length === seq && run.data.length < RUN_MAX) {
      if (raw) {
        run.raw ??= [];
        run.raw.push(run.data.length);
      }
      run.data.push(data);
      return;
    }
    this.flush();
    this.run = raw ? { t: 'pdata', p, e, seq, data: [data], raw: [0] } : { t: 'pdata', p, e, seq, data: [data] };
  }

  /** The queue or pipe id a record names: the last one read, without decoding it again, when it is the same. */
  private name(record: Uint8Array, idEnd: number): string {
    const last = this.lastId;
    if (last.length === idEnd - 3) {
      let same = true;
      for (let i = 3; i < idEnd; i++) {
        if (record[i] !== last[i - 3]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastName;
    }
    this.lastId = record.slice(3, idEnd);
    this.lastName = UTF8_DECODER.decode(this.lastId);
    return this.lastName;
  }
}

function writeUint32(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n >>> 24;
  bytes[at + 1] = (n >>> 16) & 0xff;
  bytes[at + 2] = (n >>> 8) & 0xff;
  bytes[at + 3] = n & 0xff;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0
  );
}

/** The encoding of a batch (structured-clone mode), with shapes defined once per stream (see above). */
function sequentialPackr(): Packr {
  return new Packr({ structuredClone: true, sequential: true });
}

function sequentialUnpackr(): Unpackr {
  return new Unpackr({ structuredClone: true, sequential: true, copyBuffers: true });
}
