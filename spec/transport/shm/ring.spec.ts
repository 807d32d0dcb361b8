/** Byte rings in real shared memory between a parent and a fork child or a thread: order, bytes, backpressure, and a writer killed mid-stream. */
import { expect } from 'chai';
import { ByteRing, RING_HEADER_BYTES } from '../../../src/core/ring/byte-ring.js';
import { RawArray, RawValue } from '../../../src/index.js';
import { RingReader } from '../../../src/transport/shm/ring-ends.js';
import { record } from '../../fixtures/ring-writer.js';
import { settles } from '../../support/async.js';
import { startChild } from '../../support/children.js';

/** A ring of `capacity` data bytes in anonymous shared memory a child can map. */
function ringMemory(capacity: number): { memory: RawArray<'B'>; ring: ByteRing } {
  const memory = new RawArray('B', RING_HEADER_BYTES + capacity);
  const ring = new ByteRing(memory.buffer as SharedArrayBuffer, memory.byteOffset, memory.byteLength);
  ring.init();
  return { memory, ring };
}

function indexOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
}

describe('shared-memory byte rings', function () {
  this.timeout(60_000);

  for (const kind of ['fork', 'thread'] as const) {
    it(`${kind}: 20,000 records of 4–304 bytes through a 4 KiB ring arrive in order, byte for byte, then the end`, async () => {
      const { memory, ring } = ringMemory(4096);
      const child = startChild('ring-writer', { args: [memory, 20_000], kind });
      let next = 0;
      let wrong = 0;
      await settles(
        new Promise<void>((resolve) => {
          new RingReader(
            ring,
            (bytes) => {
              if (indexOf(bytes) !== next || Buffer.compare(bytes, record(next)) !== 0) wrong++;
              next++;
            },
            resolve,
          );
        }),
        30_000,
      );
      expect({ next, wrong }).to.deep.equal({ next: 20_000, wrong: 0 });
      expect(await child.join()).to.equal(0);
    });
  }

  it('fork: every write that resolved before its writer was SIGKILLed is read, once, in order', async () => {
    for (let round = 0; round < 3; round++) {
      const { memory, ring } = ringMemory(1024);
      const resolved = new RawValue('i', -1);
      const child = startChild('ring-writer', { args: [memory, Number.POSITIVE_INFINITY, resolved], kind: 'fork' });
      const seen: number[] = [];
      let reader: RingReader | undefined;
      await settles(
        new Promise<void>((resolve) => {
          reader = new RingReader(
            ring,
            (bytes) => {
              seen.push(indexOf(bytes));
              if (seen.length === 2000 + round * 500) {
                reader?.stop(); // stop reading: the writer fills the ring and waits
                resolve();
              }
            },
            () => undefined,
          );
        }),
        30_000,
      );
      await new Promise((r) => setTimeout(r, 20));
      child.kill();
      await child.join();
      const last = resolved.value;
      // Whatever the ring still holds was written before the kill.
      for (let bytes = ring.tryRead(); bytes; bytes = ring.tryRead()) seen.push(indexOf(bytes));
      expect(seen.slice(0, last + 1)).to.deep.equal(Array.from({ length: last + 1 }, (_, i) => i));
      expect(seen.length - (last + 1), 'at most the one write whose resolution it did not get to record').to.be.at.most(1);
    }
  });
});
