import { expect } from 'chai';
import { Empty } from '../../src/errors.js';
import { decodeError, encodeError } from '../../src/wire/error-codec.js';

describe('error codec', () => {
  it('keeps name, message and stack, and the class of built-in and rxmp errors', () => {
    const original = new TypeError('wrong');
    const back = decodeError(encodeError(original));
    expect(back).to.be.instanceOf(TypeError);
    expect(back.message).to.equal('wrong');
    expect(back.stack).to.equal(original.stack);
    expect(decodeError(encodeError(new Empty(5)))).to.be.instanceOf(Empty);
  });

  it('keeps the name of a custom error class on a plain Error', () => {
    class Custom extends Error {
      override name = 'Custom';
    }
    const back = decodeError(encodeError(new Custom('mine')));
    expect(back).to.be.instanceOf(Error);
    expect(back.name).to.equal('Custom');
    expect(String(back.stack)).to.contain('mine');
  });

  it('turns thrown non-errors into errors', () => {
    expect(decodeError(encodeError('just a string')).message).to.equal('just a string');
    expect(decodeError(encodeError(42)).message).to.equal('42');
  });
});

describe('decodeError', () => {
  it('builds a native error, as util.types sees it', async () => {
    const { types } = await import('node:util');
    expect(types.isNativeError(decodeError({ name: 'RangeError', message: 'm' }))).to.equal(true);
  });
});
