import { expect } from 'chai';
import { SerializationError } from '../../src/errors.js';
import { v8Codec } from '../../src/wire/v8-codec.js';

describe('v8Codec', () => {
  it('round-trips structured-clone values', () => {
    const value = { m: new Map([[1, 'a']]), d: new Date(5), b: 7n, u: new Uint16Array([1, 2]) };
    const back = v8Codec.decode(v8Codec.encode(value)) as typeof value;
    expect(back.m.get(1)).to.equal('a');
    expect(back.d.getTime()).to.equal(5);
    expect(back.b).to.equal(7n);
    expect([...back.u]).to.deep.equal([1, 2]);
  });

  it('throws SerializationError naming the path of an uncloneable value', () => {
    try {
      v8Codec.encode({ a: { b: () => 1 } });
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(SerializationError);
      expect((error as SerializationError).path).to.equal('$.a.b');
      expect((error as SerializationError).cause).to.be.instanceOf(Error);
    }
  });

  it('throws SerializationError on bytes that are not a v8 message', () => {
    expect(() => v8Codec.decode(new TextEncoder().encode('garbage'))).to.throw(SerializationError);
  });
});
