/** The shared-memory byte ring against a model: FIFO, byte for byte, exact space accounting across wraps, and its sleep marks. */
import { expect } from 'chai';
import fc from 'fast-check';
import { ByteRing, RING_HEADER_BYTES, recordBytes } from '../../../src/core/ring/byte-ring.js';

function ring(capacity: number, start = 0): ByteRing {
  const r = new ByteRing(new SharedArrayBuffer(RING_HEADER_BYTES + capacity), 0, RING_HEADER_BYTES + capacity);
  r.init();
  // Start the positions anywhere (near the 2^32 wrap too): head = tail = start.
  const header = (r as unknown as { header: Int32Array }).header;
  header[0] = start | 0;
  header[1] = start | 0;
  return r;
}

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

/** The same ring, written the obvious way: positions as plain numbers, records in a list. */
class Model {
  records: Uint8Array[] = [];
  head = 0;
  tail = 0;
  constructor(readonly capacity: number) {}
  tryWrite(record: Uint8Array): boolean {
    const need = recordBytes(record.length);
    const free = this.capacity - (this.tail - this.head);
    const toEnd = this.capacity - (this.tail % this.capacity);
    const required = need > toEnd ? toEnd + need : need;
    if (required > free) return false;
    this.tail += required;
    this.records.push(record);
    this.sizes.push(required);
    return true;
  }
  sizes: number[] = [];
  tryRead(): Uint8Array | undefined {
    const record = this.records.shift();
    if (record) this.head += this.sizes.shift() as number;
    return record;
  }
}

describe('ByteRing', () => {
  it('behaves as the model under any mix of writes and reads: FIFO, byte for byte, exact free space, across wraps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(64, 128, 1024),
        fc.constantFrom(0, 2 ** 32 - 40, 2 ** 31 - 8, 1000),
        fc.array(fc.oneof(fc.record({ write: fc.nat({ max: 600 }) }), fc.constant({ read: true })), { maxLength: 120 }),
        (capacity, start, steps) => {
          const r = ring(capacity, start);
          const model = new Model(capacity);
          model.head = model.tail = start % capacity; // only positions mod capacity matter to the layout
          let seed = 0;
          for (const step of steps) {
            if ('write' in step) {
              const length = step.write % (r.maxRecord + 1);
              const record = bytes(length, seed++);
              expect(r.tryWrite(record)).to.equal(model.tryWrite(record));
            } else {
              const got = r.tryRead();
              const want = model.tryRead();
              expect(got === undefined ? undefined : Array.from(got)).to.deep.equal(want === undefined ? undefined : Array.from(want));
            }
            expect(r.used).to.equal(model.tail - model.head);
            expect(r.used).to.be.at.most(capacity);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a record of at most half the capacity always fits in an empty ring, wherever its positions are', () => {
    for (const start of [0, 4, 28, 32, 60]) {
      const r = ring(64, start);
      expect(r.tryWrite(bytes(r.maxRecord, 1)), `from ${start}`).to.equal(true);
      expect(Array.from(r.tryRead() as Uint8Array)).to.deep.equal(Array.from(bytes(r.maxRecord, 1)));
    }
  });

  it('refuses a record over half the capacity with a RangeError, and a bad size or offset', () => {
    const r = ring(64);
    expect(() => r.tryWrite(new Uint8Array(29))).to.throw(RangeError);
    expect(r.used).to.equal(0);
    expect(() => new ByteRing(new SharedArrayBuffer(200), 0, 200)).to.throw(RangeError);
    expect(() => new ByteRing(new SharedArrayBuffer(256), 4, 128)).to.throw(RangeError);
  });

  it('sleep marks: a reader that marks itself asleep on an empty ring is rung by the next write, once', () => {
    const r = ring(64);
    expect(r.readerSleeps()).to.equal(true);
    expect(r.tryWrite(bytes(3, 1))).to.equal(true);
    expect(r.readerToWake()).to.equal(true);
    expect(r.readerToWake(), 'the mark is cleared').to.equal(false);
    expect(r.readerSleeps(), 'not with a record in the ring').to.equal(false);
    r.close();
    r.tryRead();
    expect(r.readerSleeps(), 'not once closed').to.equal(false);
  });

  it('sleep marks: a writer waiting for room is rung once half the ring (or what its record needs) is free', () => {
    const r = ring(64);
    while (r.tryWrite(bytes(8, 2))) {}
    expect(r.writerSleeps(8)).to.equal(true);
    r.tryRead();
    expect(r.writerToWake(), '12 bytes free: not yet half').to.equal(false);
    r.tryRead();
    r.tryRead();
    expect(r.writerToWake(), '36 bytes free').to.equal(true);
    expect(r.writerToWake(), 'the mark is cleared').to.equal(false);
    expect(r.tryWrite(bytes(8, 3))).to.equal(true);
  });

  it('a writer that marks itself asleep when the record fits after all does not sleep (no lost wake-up)', () => {
    const r = ring(64);
    expect(r.writerSleeps(8)).to.equal(false);
  });
});
