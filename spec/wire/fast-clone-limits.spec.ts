/** fastClone refuses, at the call, every value the wire could not carry faithfully. */
import { expect } from 'chai';
import { atStackDepth, stackFrames } from '../support/stack.js';
import { SerializationError } from '../../src/errors.js';
import { MAX_DEPTH, fastClone } from '../../src/wire/fast-clone.js';
import { MAX_ITEM_BYTES } from '../../src/wire/framing.js';
import { linkedList, nested } from '../fixtures/value-kinds.js';

/** Calls `fn` and returns the SerializationError it throws (failing if it throws anything else, or nothing). */
function refusal(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(SerializationError);
    return error as SerializationError;
  }
  return expect.fail('expected a SerializationError');
}

describe('fastClone limits', () => {
  it(`accepts a value nested ${MAX_DEPTH} levels deep and refuses one level more, naming the path`, () => {
    expect(() => fastClone(nested(MAX_DEPTH))).to.not.throw();
    const error = refusal(() => fastClone({ job: nested(MAX_DEPTH) }));
    expect(error.path).to.equal(`$.job${'.n'.repeat(MAX_DEPTH - 1)}`);
    expect(error.message).to.contain(`${MAX_DEPTH}`);
  });

  it('refuses a 2,000-deep object and a 1,250-node linked list', () => {
    expect(refusal(() => fastClone(nested(2000))).path.startsWith('$.n.n.n')).to.equal(true);
    expect(refusal(() => fastClone(linkedList(1250))).path.startsWith('$.next.next.next')).to.equal(true);
  });

  it('counts arrays, Maps, Sets and Error causes as levels too', () => {
    let array: unknown[] = [];
    for (let i = 0; i < 2000; i++) array = [array];
    expect(refusal(() => fastClone(array)).path.startsWith('$[0][0]')).to.equal(true);
    let map = new Map<string, unknown>();
    for (let i = 0; i < 2000; i++) map = new Map([['k', map]]);
    expect(refusal(() => fastClone(map)).path.startsWith('$.get("k").get("k")')).to.equal(true);
    let set = new Set<unknown>();
    for (let i = 0; i < 2000; i++) set = new Set([set]);
    expect(refusal(() => fastClone(set)).path.startsWith('$.<item 0>')).to.equal(true);
    let error = new Error('root');
    for (let i = 0; i < 2000; i++) error = new Error(`e${i}`, { cause: error });
    expect(refusal(() => fastClone({ error })).path.startsWith('$.error.cause.cause')).to.equal(true);
  });

  it('called with the stack nearly full, it copies or refuses with SerializationError, never a RangeError', () => {
    const frames = stackFrames();
    const value = nested(MAX_DEPTH);
    const outcomes: unknown[] = [];
    for (const margin of [50, 100, 200, 400, 800, 1600, 3200, 6400]) {
      const ran = atStackDepth(frames - margin, () => {
        try {
          fastClone(value);
          return 'copied';
        } catch (error) {
          return error;
        }
      });
      if (ran) outcomes.push(ran.value);
    }
    for (const outcome of outcomes) expect(outcome === 'copied' || outcome instanceof SerializationError, String(outcome)).to.equal(true);
    expect(
      outcomes.some((o) => o instanceof SerializationError),
      'refused at least once',
    ).to.equal(true);
  });

  it('refuses an item larger than a frame can carry, naming its size and the limit, before copying it', () => {
    const big = new Uint8Array(MAX_ITEM_BYTES + 1);
    const error = refusal(() => fastClone({ big }));
    expect(error.path).to.equal('$');
    expect(error.message)
      .to.contain(String(MAX_ITEM_BYTES + 1))
      .and.contain(String(MAX_ITEM_BYTES));
    const many = Array.from({ length: 4 }, () => new Uint8Array(Math.ceil(MAX_ITEM_BYTES / 3)));
    expect(refusal(() => fastClone(many)).path).to.equal('$');
    const one = new Uint8Array(Math.ceil(MAX_ITEM_BYTES / 3));
    const copy = fastClone([one, one, one, one]); // one array, referenced four times: encoded once
    expect(copy[0]).to.equal(copy[3]);
    expect(() => fastClone(new Uint8Array(1024 * 1024))).to.not.throw();
  });

  it('refuses a string too large for a frame, counting its UTF-8 bytes', () => {
    const wide = '€'.repeat(Math.ceil(MAX_ITEM_BYTES / 3) + 1); // 3 bytes each in UTF-8
    expect(refusal(() => fastClone({ text: wide })).path).to.equal('$');
  });

  it('refuses shared memory, Blobs, strings and keys with a lone surrogate, naming the path', () => {
    const cases: [unknown, string][] = [
      [{ s: new SharedArrayBuffer(4) }, '$.s'],
      [{ v: new Int32Array(new SharedArrayBuffer(8)) }, '$.v'],
      [[new Blob(['x'])], '$[0]'],
      ['a\uD800', '$'],
      [{ list: ['ok', 'b\uDFFF'] }, '$.list[1]'],
      [{ 'k\uD800': 1 }, '$["k\\ud800"]'],
      [new Map([['k', 'v\uD800']]), '$.get("k")'],
      [{ e: new Error('bad \uD800 message') }, '$.e'],
    ];
    for (const [value, path] of cases) expect(refusal(() => fastClone(value)).path, path).to.equal(path);
  });

  it('refuses platform objects that structuredClone copies in one process but the wire cannot carry (keys, block lists, Files), by name', async () => {
    const { createSecretKey } = await import('node:crypto');
    const { BlockList } = await import('node:net');
    const { File } = await import('node:buffer');
    for (const [value, name] of [
      [createSecretKey(Buffer.alloc(16)), 'SecretKeyObject'],
      [new BlockList(), 'BlockList'],
      [new File(['x'], 'f.txt'), 'File'],
    ] as [unknown, string][]) {
      const error = refusal(() => fastClone({ v: value }));
      expect(error.path).to.equal('$.v');
      expect(error.message).to.contain(name);
    }
  });

  it('refuses an object with own "constructor" and "toJSON" properties, which the wire encoding would misread', () => {
    expect(refusal(() => fastClone({ doc: { constructor: 'x', toJSON: 'y' } })).path).to.equal('$.doc');
    expect(fastClone({ constructor: 'x' })).to.deep.equal({ constructor: 'x' });
  });
});

describe('fastClone copies', () => {
  it('a Buffer as a Buffer of exactly its bytes', () => {
    const pooled = Buffer.from('hello');
    const copy = fastClone({ b: pooled }).b;
    expect(Buffer.isBuffer(copy)).to.equal(true);
    expect(copy.toString()).to.equal('hello');
    expect([copy.byteOffset, copy.buffer.byteLength]).to.deep.equal([0, 5]);
  });

  it('a typed array or DataView as exactly the bytes it views, in a buffer of its own', () => {
    const backing = new Uint8Array(16).map((_, i) => i);
    const copy = fastClone({ u: new Uint8Array(backing.buffer, 4, 4), d: new DataView(backing.buffer, 8, 2), f: new Float32Array([1.5]) });
    expect([...copy.u]).to.deep.equal([4, 5, 6, 7]);
    expect([copy.u.byteOffset, copy.u.buffer.byteLength]).to.deep.equal([0, 4]);
    expect([copy.d.getUint8(0), copy.d.byteLength, copy.d.buffer.byteLength]).to.deep.equal([8, 2, 2]);
    expect(copy.f).to.be.instanceOf(Float32Array);
    class Bytes extends Uint8Array {}
    expect(Object.getPrototypeOf(fastClone(new Bytes(2)))).to.equal(Uint8Array.prototype);
  });

  it('an Error with its class (the standard ones), message, stack and cause, as structuredClone does', () => {
    const cause = { code: 7 };
    const error = new RangeError('outer', { cause });
    const copy = fastClone({ error, cause });
    expect(copy.error).to.be.instanceOf(RangeError);
    expect(copy.error.stack).to.equal(error.stack);
    expect(copy.error.cause, 'the cause keeps its identity within the value').to.equal(copy.cause);
    expect(copy.cause).to.not.equal(cause);
  });

  it('a class instance as a plain object of its own enumerable properties, as structuredClone does', () => {
    class Point {
      constructor(public x: number) {}
    }
    expect(fastClone({ p: new Point(1) })).to.deep.equal({ p: { x: 1 } });
  });
});
