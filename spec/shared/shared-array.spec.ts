/** SharedArray and RawArray in one process, with the cases of CPython's _TestArray that apply. */
import { expect } from 'chai';
import { Lock, RawArray, SharedArray, RLock } from '../../src/index.js';

describe('SharedArray and RawArray', () => {
  it('index, iterate, slice and set like the typed array of their typecode (test_array)', () => {
    const seq = [681, -426, 1000, 0, 5, -8];
    const a = new SharedArray('i', seq);
    expect(a.length).to.equal(seq.length);
    expect(a[0]).to.equal(681);
    expect(Array.from(a)).to.deep.equal(seq);
    expect([...a]).to.deep.equal(seq);
    expect(Array.from(a.slice(1, 3))).to.deep.equal([-426, 1000]);
    expect(a.at(-1)).to.equal(-8);
    a.set([1, 2], 4);
    expect(Array.from(a.subarray(4))).to.deep.equal([1, 2]);
    expect(a).to.be.instanceOf(Int32Array);
    expect(a.typecode).to.equal('i');
  });

  it('slice() is a plain copy; subarray() a plain view of the same shared memory', () => {
    const a = new RawArray('d', [1, 2, 3]);
    const copy = a.slice();
    const view = a.subarray(1);
    a[1] = 9;
    expect(copy[1]).to.equal(2);
    expect(view[0]).to.equal(9);
    expect(copy).to.not.be.instanceOf(RawArray);
    expect(view.buffer).to.equal(a.buffer);
    expect(a.buffer).to.be.instanceOf(SharedArrayBuffer);
  });

  it('an array from a size is zero-filled (test_array_from_size)', () => {
    for (let size = 0; size < 20; size++) expect(Array.from(new SharedArray('i', size))).to.deep.equal(new Array(size).fill(0));
    expect(Array.from(new RawArray('Q', 3))).to.deep.equal([0n, 0n, 0n]);
  });

  it('64-bit codes hold bigints; every element of an initializer is checked', () => {
    expect(Array.from(new RawArray('q', [-(2n ** 63n), 2n ** 63n - 1n]))).to.deep.equal([-(2n ** 63n), 2n ** 63n - 1n]);
    expect(() => new RawArray('q', [1 as never])).to.throw(TypeError);
    expect(() => new RawArray('b', [1, 2, 300])).to.throw(RangeError, /element 2/);
    expect(() => new RawArray('i', [0.5])).to.throw(TypeError);
  });

  it("'c' arrays: bytes, with value (up to the first NUL) and raw (SynchronizedString)", () => {
    const s = new SharedArray('c', new TextEncoder().encode('hello'));
    expect(s.length).to.equal(5);
    expect(s[0]).to.equal(104);
    expect(new TextDecoder().decode(s.value)).to.equal('hello');
    s.value = new TextEncoder().encode('hi');
    expect(new TextDecoder().decode(s.value)).to.equal('hi');
    expect(Array.from(s.raw)).to.deep.equal([104, 105, 0, 108, 111]);
    s.raw = new Uint8Array([65]);
    expect(Array.from(s.raw)).to.deep.equal([65, 105, 0, 108, 111]);
    expect(() => {
      s.value = new Uint8Array(6);
    }).to.throw(RangeError);
    expect(() => {
      s.value = 'hi' as never;
    }).to.throw(TypeError);
    expect(() => new SharedArray('c', 'hello' as never)).to.throw(TypeError);
  });

  it('sizes and initializers: negative, fractional and non-iterables are refused', () => {
    expect(() => new SharedArray('i', -1)).to.throw(RangeError);
    expect(() => new SharedArray('i', 1.5)).to.throw(RangeError);
    expect(() => new SharedArray('i', {} as never)).to.throw(TypeError);
    expect(() => new SharedArray('i', null as never)).to.throw(TypeError);
    expect(() => new RawArray('x' as never, 3)).to.throw(TypeError);
  });

  it('takes any iterable, a generator included (Python asks for len())', () => {
    function* three(): Generator<number> {
      yield 1;
      yield 2;
      yield 3;
    }
    expect(Array.from(new RawArray('H', three()))).to.deep.equal([1, 2, 3]);
  });

  it('getLock and getObj (test_getobj_getlock_obj)', () => {
    const a = new SharedArray('d', 10);
    expect(a.getLock(), 'an RLock, as Python').to.be.instanceOf(RLock);
    const raw = a.getObj();
    expect(raw).to.be.instanceOf(RawArray);
    expect(raw).to.not.be.instanceOf(SharedArray);
    raw[3] = 1.5;
    expect(a[3]).to.equal(1.5);
    const lock = new Lock();
    expect(new SharedArray('i', 2, { lock: new RLock() }).getLock()).to.be.instanceOf(RLock);
    expect(new SharedArray('i', 2, { lock }).getLock()).to.equal(lock);
    expect(() => new SharedArray('i', 2, { lock: false }).getLock()).to.throw(TypeError);
    expect((new RawArray('i', 2) as unknown as { getLock?: unknown }).getLock).to.equal(undefined);
  });

  it('element writes follow typed-array rules (documented): out-of-range wraps as in Python', () => {
    const a = new RawArray('b', 1);
    a[0] = 200;
    expect(a[0]).to.equal(-56);
  });
});
