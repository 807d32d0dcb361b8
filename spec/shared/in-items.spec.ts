import { expect } from 'chai';
import { Lock, Pipe, Queue, RawValue, SerializationError, SharedArray, SharedMemory, Value } from '../../src/index.js';
import { expectRejection } from '../support/async.js';
import '../support/shm-leaks.js';

describe('shared memory inside a queue item or a pipe message', () => {
  it('is refused with SerializationError naming it (a copy would silently stop sharing); nothing is enqueued', async () => {
    const shm = new SharedMemory({ create: true, size: 8 });
    try {
      const q = new Queue<unknown>();
      for (const [handle, name] of [
        [new Value('i', 1), 'Value'],
        [new RawValue('i', 1), 'RawValue'],
        [new Lock(), 'Lock'],
        [shm, 'SharedMemory'],
      ] as const) {
        const error = await expectRejection(q.put({ job: handle }), SerializationError);
        expect(error.path).to.equal('$.job');
        expect(error.message).to.contain(`is a ${name}: pass queues, pipe ends, shared memory and locks to a Process`);
      }
      await expectRejection(q.put([new SharedArray('i', 2)]), SerializationError);
      expect(await q.qsize()).to.equal(0);
      const [a, b] = Pipe();
      await expectRejection(a.send(new Value('d', 1)), SerializationError);
      a.close();
      b.close();
    } finally {
      shm.unlink();
    }
  });
});
