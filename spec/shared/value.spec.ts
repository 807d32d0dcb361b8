/** Value and RawValue in one process, with the cases of CPython's _TestValue that apply. */
import { expect } from 'chai';
import { Lock, RawValue, Value, RLock } from '../../src/index.js';

describe('Value and RawValue', () => {
  it('holds each typecode with its zero default (test_value, codes_values)', () => {
    for (const code of ['b', 'B', 'h', 'H', 'i', 'I', 'f', 'd'] as const) expect(new Value(code).value, code).to.equal(0);
    for (const code of ['l', 'L', 'q', 'Q'] as const) expect(new Value(code).value, code).to.equal(0n);
    expect(Array.from(new Value('c').value)).to.deep.equal([0]);
  });

  it('keeps values as CPython does: float32 rounds, c is a byte', () => {
    expect(new Value('f', 0.1).value).to.equal(Math.fround(0.1));
    expect(Array.from(new RawValue('c', new Uint8Array([120])).value)).to.deep.equal([120]);
    const v = new Value('i', 1);
    v.value = -7;
    expect(v.value).to.equal(-7);
  });

  it('refuses an out-of-range value (RangeError; Python wraps silently) and leaves the old one', () => {
    expect(() => new Value('b', 200)).to.throw(RangeError);
    expect(() => new Value('B', -1)).to.throw(RangeError);
    expect(() => new Value('Q', -1n)).to.throw(RangeError);
    expect(() => new Value('q', 2n ** 63n)).to.throw(RangeError);
    const v = new Value('h', 5);
    expect(() => {
      v.value = 70000;
    }).to.throw(RangeError);
    expect(v.value).to.equal(5);
  });

  it('refuses a value of the wrong type (TypeError): floats into integers, numbers into 64-bit codes', () => {
    expect(() => new Value('i', 1.5)).to.throw(TypeError);
    expect(() => new Value('q', 1 as never)).to.throw(TypeError);
    expect(() => new Value('i', 1n as never)).to.throw(TypeError);
    expect(() => new Value('d', '1' as never)).to.throw(TypeError);
    expect(() => new Value('c', 'A' as never)).to.throw(TypeError);
    expect(() => new Value('c', new Uint8Array(2))).to.throw(RangeError);
  });

  it('refuses a bad typecode (TypeError), u included', () => {
    for (const code of ['x', 'u', '', 'ii', 1]) expect(() => new Value(code as never), String(code)).to.throw(TypeError);
    expect(() => new RawValue('z' as never)).to.throw(TypeError);
  });

  it('getLock and getObj (test_getobj_getlock): a lock of its own by default, the given Lock, or none', () => {
    const own = new Value('i', 5);
    expect(own.getLock(), 'an RLock, as Python').to.be.instanceOf(RLock);
    expect(own.getObj()).to.be.instanceOf(RawValue);
    expect(own.getObj().value).to.equal(5);
    own.getObj().value = 6;
    expect(own.value).to.equal(6);
    expect(own.getObj()).to.equal(own.getObj());

    const lock = new Lock();
    expect(new Value('i', 0, { lock: new RLock() }).getLock()).to.be.instanceOf(RLock);
    expect(new Value('i', 0, { lock }).getLock()).to.equal(lock);
    expect(() => new Value('i', 0, { lock: false }).getLock()).to.throw(TypeError);
    expect(() => new Value('i', 0, { lock: 'yes' as never })).to.throw(TypeError);
    expect(() => new Value('i', 0, { lok: true } as never)).to.throw(TypeError, /lock/);
  });

  it('two values made alike are two memories', () => {
    const a = new RawValue('i', 1);
    const b = new RawValue('i', 1);
    a.value = 2;
    expect(b.value).to.equal(1);
    expect(String(a)).to.equal("RawValue('i', 2)");
  });
});
