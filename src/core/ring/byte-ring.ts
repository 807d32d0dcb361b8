/**
 * A single-producer, single-consumer ring of byte records in shared memory:
 * the data plane a queue link or a pipe direction will use between two
 * runtimes on one machine. Pure: words and bytes, no I/O; the caller rings
 * the other side's doorbell when a call says so.
 *
 * Layout (`RING_HEADER_BYTES` of Int32 words, then `capacity` data bytes,
 * a power of two):
 *
 *   0 head: bytes consumed so far (mod 2^32), written by the reader only
 *   1 tail: bytes produced so far (mod 2^32), written by the writer only
 *   2 the reader sleeps (1): the writer must ring it after its next write
 *   3 the writer sleeps until this many bytes are free (0: it does not)
 *   4 capacity   5 closed (the writer wrote its last record)
 *   6 the reader's doorbell id   7 the writer's doorbell id
 *
 * A record is its length (an Int32), its bytes, and padding to 4 bytes. A
 * record that does not fit before the end of the data is written at the
 * start, after a length of -1 ("skip to the start"). A record may take at
 * most half the capacity, so one always fits in an empty ring.
 *
 * The conversation:
 * - The writer writes a record's bytes, then moves `tail` (the record is
 *   then the reader's, whatever happens to the writer afterwards). If the
 *   reader sleeps, it clears that mark and rings it.
 * - The reader copies records out, then moves `head`. If the writer sleeps
 *   and enough is free now, it clears that mark and rings it.
 * - Before sleeping, either side marks itself sleeping, then looks again
 *   (Dekker's order: each writes its mark or position before it reads the
 *   other's, with sequentially consistent atomics), so no wake-up is lost.
 *
 * Invariants: 0 ≤ tail - head ≤ capacity; records come out in the order
 * they went in, each once, byte for byte.
 */
export const RING_HEADER_BYTES = 64;

const HEAD = 0;
const TAIL = 1;
const READER_ASLEEP = 2;
const WRITER_WANTS = 3;
const CAPACITY = 4;
const CLOSED = 5;
const READER_BELL = 6;
const WRITER_BELL = 7;
const SKIP = -1;

/** Bytes a record of `length` takes in the ring. */
export function recordBytes(length: number): number {
  return 4 + ((length + 3) & ~3);
}

export class ByteRing {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly lengths: Int32Array;
  readonly capacity: number;
  private readonly mask: number;

  /** Views the ring at `offset` of `buffer`, `bytes` long in all (header included). */
  constructor(buffer: SharedArrayBuffer, offset: number, bytes: number) {
    const capacity = bytes - RING_HEADER_BYTES;
    if (capacity < 64 || (capacity & (capacity - 1)) !== 0 || offset % 8 !== 0) {
      throw new RangeError(
        `a ring needs ${RING_HEADER_BYTES} bytes and a power of two ≥ 64 after them, 8-aligned; got ${bytes} at ${offset}`,
      );
    }
    this.header = new Int32Array(buffer, offset, RING_HEADER_BYTES / 4);
    this.data = new Uint8Array(buffer, offset + RING_HEADER_BYTES, capacity);
    this.lengths = new Int32Array(buffer, offset + RING_HEADER_BYTES, capacity / 4);
    this.capacity = capacity;
    this.mask = capacity - 1;
  }

  /** The largest record a write takes. */
  get maxRecord(): number {
    return this.capacity / 2 - 4;
  }

  /** Sets up fresh (zeroed) memory. */
  init(): void {
    Atomics.store(this.header, CAPACITY, this.capacity);
  }

  /** Bytes in the ring not yet read. */
  get used(): number {
    return (Atomics.load(this.header, TAIL) - Atomics.load(this.header, HEAD)) >>> 0;
  }

  /**
   * Writes one record — the first `first` bytes of `record` (all of them by
   * default), then `more` if given, as one — if there is room (false: none
   * written). Throws for a record over `maxRecord`.
   */
  tryWrite(record: Uint8Array, more?: Uint8Array, first = record.length): boolean {
    const length = first + (more ? more.length : 0);
    if (length > this.maxRecord) throw new RangeError(`a record of ${length} bytes is over this ring's ${this.maxRecord}`);
    const need = recordBytes(length);
    let tail = this.header[TAIL] as number; // only this side writes it
    const free = this.capacity - ((tail - Atomics.load(this.header, HEAD)) >>> 0);
    let at = tail & this.mask;
    const toEnd = this.capacity - at;
    if (need > toEnd) {
      if (toEnd + need > free) return false;
      this.lengths[at >> 2] = SKIP;
      tail = (tail + toEnd) >>> 0;
      at = 0;
    } else if (need > free) return false;
    this.lengths[at >> 2] = length;
    copy(this.data, at + 4, record, first);
    if (more) copy(this.data, at + 4 + first, more, more.length);
    Atomics.store(this.header, TAIL, (tail + need) | 0); // the record is the reader's from here on
    return true;
  }

  /** After writes: is the reader asleep (then it is to be rung, and no longer marked)? */
  readerToWake(): boolean {
    return Atomics.load(this.header, READER_ASLEEP) === 1 && Atomics.exchange(this.header, READER_ASLEEP, 0) === 1;
  }

  /** The next record, copied out (the ring's bytes are reused at once), or undefined when empty. */
  tryRead(): Uint8Array | undefined {
    let head = this.header[HEAD] as number; // only this side writes it
    const tail = Atomics.load(this.header, TAIL);
    if (head === tail) return undefined;
    let at = head & this.mask;
    let length = this.lengths[at >> 2] as number;
    if (length === SKIP) {
      head = (head + this.capacity - at) >>> 0;
      at = 0;
      length = this.lengths[0] as number;
    }
    const record = this.data.slice(at + 4, at + 4 + length);
    Atomics.store(this.header, HEAD, (head + recordBytes(length)) | 0);
    return record;
  }

  /** After reads: is the writer asleep and is what it waits for free (then it is to be rung, no longer marked)? */
  writerToWake(): boolean {
    const wants = Atomics.load(this.header, WRITER_WANTS);
    if (wants === 0 || this.capacity - this.used < wants) return false;
    return Atomics.compareExchange(this.header, WRITER_WANTS, wants, 0) === wants;
  }

  /** The reader is about to sleep: true if it may (nothing came meanwhile; a write will ring it). */
  readerSleeps(): boolean {
    Atomics.store(this.header, READER_ASLEEP, 1);
    if (this.used === 0 && !this.closed) return true;
    Atomics.store(this.header, READER_ASLEEP, 0);
    return false;
  }

  /**
   * The writer is about to sleep until a record of `length` fits: true if
   * it may (a read will ring it). It waits for half the ring at least, so a
   * reader rings once per half ring, not once per record.
   */
  writerSleeps(length: number): boolean {
    const need = recordBytes(length);
    const toEnd = this.capacity - ((this.header[TAIL] as number) & this.mask);
    const required = need > toEnd ? toEnd + need : need; // a record that wraps also needs the bytes it skips
    const wants = Math.max(required, this.capacity / 2);
    Atomics.store(this.header, WRITER_WANTS, wants);
    if (this.capacity - this.used < required) return true;
    Atomics.store(this.header, WRITER_WANTS, 0);
    return false;
  }

  /**
   * Between threads of one process, the sides wait on the ring's own words
   * instead of doorbells: the reader, once `readerSleeps` said it may, waits
   * on its mark (`readerWaits`), and the writer that cleared the mark in
   * `readerToWake` wakes it (`notifyReader`); the writer likewise waits on
   * what it wants (`writerWaits`) and `writerToWake` + `notifyWriter` wake it.
   * A wait resolves when woken (or at once with undefined: the mark was
   * cleared already, so look again now). It does not keep the event loop
   * alive by itself.
   */
  readerWaits(): Promise<unknown> | undefined {
    return waitWhile(this.header, READER_ASLEEP, 1);
  }

  notifyReader(): void {
    Atomics.notify(this.header, READER_ASLEEP);
  }

  writerWaits(): Promise<unknown> | undefined {
    const wants = Atomics.load(this.header, WRITER_WANTS);
    return wants === 0 ? undefined : waitWhile(this.header, WRITER_WANTS, wants);
  }

  notifyWriter(): void {
    Atomics.notify(this.header, WRITER_WANTS);
  }

  /** The writer wrote its last record. */
  close(): void {
    Atomics.store(this.header, CLOSED, 1);
  }

  get closed(): boolean {
    return Atomics.load(this.header, CLOSED) === 1;
  }

  /** The doorbell ids of the two sides (0 until each attaches). */
  get readerBell(): number {
    return Atomics.load(this.header, READER_BELL);
  }

  set readerBell(id: number) {
    Atomics.store(this.header, READER_BELL, id);
  }

  get writerBell(): number {
    return Atomics.load(this.header, WRITER_BELL);
  }

  set writerBell(id: number) {
    Atomics.store(this.header, WRITER_BELL, id);
  }
}

/** Resolves when woken from word `i` holding `value` (undefined: it holds another value already). */
function waitWhile(words: Int32Array, i: number, value: number): Promise<unknown> | undefined {
  const wait = Atomics.waitAsync(words, i, value);
  return wait.async ? wait.value : undefined;
}

/** Copies `n` bytes of `from` to `to` at `at`: a loop for the few bytes of a small record, `set` beyond. */
function copy(to: Uint8Array, at: number, from: Uint8Array, n: number): void {
  if (n > 64) {
    to.set(n === from.length ? from : from.subarray(0, n), at);
    return;
  }
  for (let i = 0; i < n; i++) to[at + i] = from[i] as number;
}
