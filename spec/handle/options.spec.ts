import { expect } from 'chai';
import { checkMaxsize, checkSendRange, checkTimeout, quote } from '../../src/handle/options.js';

describe('argument checks', () => {
  it('timeouts: undefined waits forever, 0 and Infinity are fine, negatives and NaN are RangeErrors', () => {
    expect(checkTimeout(undefined)).to.equal(undefined);
    expect(checkTimeout(0)).to.equal(0);
    expect(checkTimeout(Infinity)).to.equal(Infinity);
    expect(() => checkTimeout(-1)).to.throw(RangeError, '-1');
    expect(() => checkTimeout(Number.NaN)).to.throw(RangeError, 'NaN');
    expect(() => checkTimeout(null)).to.throw(TypeError, 'null');
  });

  it('a timeout longer than a timer can hold means no deadline (it would otherwise fire at once)', () => {
    expect(checkTimeout(2 ** 31)).to.equal(Infinity);
    expect(checkTimeout(2 ** 31 - 1)).to.equal(2 ** 31 - 1);
  });

  it('maxsize: ≤ 0 and Infinity mean unbounded; fractions are RangeErrors', () => {
    expect(checkMaxsize(0)).to.equal(Infinity);
    expect(checkMaxsize(-3)).to.equal(Infinity);
    expect(checkMaxsize(5)).to.equal(5);
    expect(() => checkMaxsize(2.5)).to.throw(RangeError, '2.5');
  });

  it('send ranges count bytes and follow Python’s rules', () => {
    expect(checkSendRange(new Uint8Array(4), 4, undefined).byteLength).to.equal(0);
    expect(checkSendRange(new Uint32Array(2), 1, 6).byteLength).to.equal(6);
    expect(() => checkSendRange(new Uint8Array(4), 1, 4)).to.throw(RangeError, 'offset + size');
  });

  it('quotes values for messages', () => {
    expect(quote('x')).to.equal('"x"');
    expect(quote(3n)).to.equal('3n');
    expect(quote({ a: 1 })).to.equal('{"a":1}');
    expect(quote(function named() {})).to.equal('function named');
  });
});
