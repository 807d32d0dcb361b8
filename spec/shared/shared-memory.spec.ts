/** SharedMemory in one process, with the cases of CPython's _TestSharedMemory that apply. */
import { expect } from 'chai';
import { ClosedError, FileExistsError, FileNotFoundError, SharedMemory } from '../../src/index.js';
import '../support/shm-leaks.js';
import { ourSegments } from '../support/shm-leaks.js';

describe('SharedMemory', () => {
  const made: SharedMemory[] = [];
  const create = (options: { name?: string; size: number }): SharedMemory => {
    const shm = new SharedMemory({ create: true, ...options });
    made.push(shm);
    return shm;
  };
  afterEach(() => {
    for (const shm of made.splice(0)) {
      try {
        shm.unlink();
      } catch {
        // unlinked by the test
      }
    }
  });

  describe('basics (test_shared_memory_basics)', () => {
    it('creates a zero-filled segment of exactly the size asked, named rxmp_<8 hex>, under /dev/shm', () => {
      const shm = create({ size: 4097 });
      expect(shm.name).to.match(/^rxmp_[0-9a-f]{8}$/);
      expect(shm.size).to.equal(4097);
      expect(shm.buf.length).to.equal(4097);
      expect(shm.buf.every((b) => b === 0)).to.equal(true);
      expect(ourSegments()).to.include(shm.name);
    });

    it('takes a name of the caller, dropping a leading slash', () => {
      const name = `rxmp_test_${process.pid}`;
      const shm = create({ name: `/${name}`, size: 10 });
      expect(shm.name).to.equal(name);
      const same = new SharedMemory({ name });
      shm.buf[3] = 33;
      expect(same.buf[3]).to.equal(33);
      same.close();
    });

    it('attaching takes the size of the segment, whatever size is given', () => {
      const shm = create({ size: 10 });
      const same = new SharedMemory({ name: shm.name, size: 999_999 });
      expect(same.size).to.equal(10);
      same.close();
    });

    it('creating a name that exists is FileExistsError (code EEXIST); nothing is lost', () => {
      const shm = create({ size: 10 });
      shm.buf[0] = 1;
      const error = (() => {
        try {
          new SharedMemory({ name: shm.name, create: true, size: 10 });
        } catch (e) {
          return e;
        }
      })();
      expect(error).to.be.instanceOf(FileExistsError);
      expect((error as FileExistsError).code).to.equal('EEXIST');
      expect(new SharedMemory({ name: shm.name }).buf[0]).to.equal(1);
    });

    it('attaching a name that does not exist is FileNotFoundError (code ENOENT)', () => {
      expect(() => new SharedMemory({ name: 'rxmp_no_such_segment' }))
        .to.throw(FileNotFoundError)
        .with.property('code', 'ENOENT');
    });

    it('unlinking twice is FileNotFoundError, and so is attaching after the unlink', () => {
      const shm = create({ size: 10 });
      shm.unlink();
      expect(() => shm.unlink()).to.throw(FileNotFoundError);
      expect(() => new SharedMemory({ name: shm.name })).to.throw(FileNotFoundError);
    });

    it('a mapping stays valid after unlink, and the name can be created again', () => {
      const shm = create({ size: 10 });
      shm.buf[0] = 42;
      shm.unlink();
      expect(shm.buf[0]).to.equal(42);
      const again = create({ name: shm.name, size: 20 });
      expect(again.size).to.equal(20);
      expect(again.buf[0]).to.equal(0);
    });
  });

  describe('close()', () => {
    it('lets the mapping go whole, even with views alive: they read zeros and share nothing', () => {
      const shm = create({ size: 16 });
      const other = new SharedMemory({ name: shm.name });
      const view = other.buf.subarray(0, 4);
      shm.buf[0] = 5;
      expect(view[0]).to.equal(5);
      other.close();
      expect(other.closed).to.equal(true);
      expect(view[0]).to.equal(0);
      view[1] = 7;
      expect(shm.buf[1]).to.equal(0);
      expect(() => other.buf).to.throw(ClosedError);
      expect(other.name).to.equal(shm.name);
      expect(other.size).to.equal(16);
    });

    it('may be called again, and does not remove the segment', () => {
      const shm = create({ size: 16 });
      shm.close();
      shm.close();
      const same = new SharedMemory({ name: shm.name });
      expect(same.size).to.equal(16);
      same.close();
    });

    it('a closed SharedMemory cannot be passed on (ClosedError)', async () => {
      const { Process } = await import('../../src/index.js');
      const shm = create({ size: 16 });
      shm.close();
      expect(() =>
        new Process({ target: new URL('../fixtures/shared-ops.js', import.meta.url), args: ['readBytes', shm, 0, 1] }).start(),
      ).to.throw(ClosedError);
    });
  });

  describe('bad input', () => {
    it('size: missing or 0 when creating is an error; negative, fractional or non-number too', () => {
      expect(() => new SharedMemory({ create: true })).to.throw(TypeError);
      expect(() => new SharedMemory({ create: true, size: 0 })).to.throw(RangeError);
      expect(() => new SharedMemory({ create: true, size: -1 })).to.throw(RangeError);
      expect(() => new SharedMemory({ create: true, size: 1.5 })).to.throw(RangeError);
      expect(() => new SharedMemory({ create: true, size: '10' as never })).to.throw(TypeError);
    });

    it('names: not a string, empty, with a slash inside, too long, or odd characters are refused', () => {
      expect(() => new SharedMemory({ name: 5 as never })).to.throw(TypeError);
      for (const name of ['', 'a/b', 'x'.repeat(201), 'sp ace', '..', 'nul\0']) {
        expect(() => new SharedMemory({ name, create: true, size: 1 }), JSON.stringify(name)).to.throw(RangeError);
      }
    });

    it('attaching needs a name; unknown options are refused with a hint', () => {
      expect(() => new SharedMemory({})).to.throw(TypeError);
      expect(() => new SharedMemory({ creat: true } as never)).to.throw(TypeError, /create/);
      expect(() => new SharedMemory({ create: 'yes' as never, size: 1 })).to.throw(TypeError);
    });
  });
});
