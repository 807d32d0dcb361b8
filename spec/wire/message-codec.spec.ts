import { expect } from 'chai';
import { SerializationError } from '../../src/errors.js';
import { approximateSize, decodeMessage, encodeMessage } from '../../src/wire/message-codec.js';

describe('message codec', () => {
  it('round-trips structured-clone values', () => {
    const value = { m: new Map([[1, 'a']]), s: new Set([2]), d: new Date(5), b: 7n, u: new Uint16Array([1, 2]), e: new TypeError('t') };
    const back = decodeMessage(encodeMessage(value)) as typeof value;
    expect(back.m.get(1)).to.equal('a');
    expect([...back.s]).to.deep.equal([2]);
    expect(back.d.getTime()).to.equal(5);
    expect(back.b).to.equal(7n);
    expect([...back.u]).to.deep.equal([1, 2]);
    expect(back.e).to.be.instanceOf(TypeError);
  });

  it('returns bytes of its own (not a view into a shared buffer)', () => {
    const a = encodeMessage('first');
    const b = encodeMessage('second');
    expect(a.buffer).to.not.equal(b.buffer);
    expect(a.byteOffset).to.equal(0);
  });

  it('refuses bytes that are not a message with SerializationError', () => {
    expect(() => decodeMessage(new Uint8Array([0x92, 0x01]))).to.throw(SerializationError); // an array of 2 with 1 element
    expect(() => decodeMessage(new TextEncoder().encode('not a message'))).to.throw(SerializationError);
  });

  it('estimates sizes: small for primitives, growing with content', () => {
    expect(approximateSize(1)).to.be.below(16);
    expect(approximateSize('x'.repeat(1000))).to.be.at.least(1000);
    expect(approximateSize(new Uint8Array(4096))).to.be.at.least(4096);
    expect(approximateSize({ a: [1, 2, 3], b: 'hello' })).to.be.above(approximateSize({ a: 1 }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(approximateSize(cyclic)).to.be.a('number');
  });

  it('counts a shared object once, so a densely linked value is cheap to size', () => {
    const nodes: { edges?: unknown[] }[] = Array.from({ length: 200 }, () => ({}));
    for (const n of nodes) n.edges = nodes;
    const started = performance.now();
    const size = approximateSize({ nodes });
    expect(performance.now() - started).to.be.below(1000); // a tree walk would take minutes
    expect(size).to.be.below(200 * 200 * 20);
  });
});
