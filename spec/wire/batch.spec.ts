/** Frames: what fastClone copies arrives as the copy; batches are split to fit; the deepest values encode. */
import { expect } from 'chai';
import { inspect, isDeepStrictEqual } from 'node:util';
import { coalesce, decodeBatch, encodeFrames } from '../../src/wire/batch.js';
import { MAX_DEPTH, fastClone } from '../../src/wire/fast-clone.js';
import type { Message } from '../../src/wire/protocol/index.js';
import { samples } from '../fixtures/put-samples.js';
import { nested } from '../fixtures/value-kinds.js';
import { atStackDepth, stackFrames } from '../support/stack.js';

/** `value` copied as a put copies it, then through a frame and back, as another process receives it. */
function acrossTheWire(value: unknown): unknown {
  const { frames } = encodeFrames([{ t: 'put', q: 'q', items: [fastClone(value)] }]);
  expect(frames.length).to.equal(1);
  return (decodeBatch(frames[0] as Uint8Array)[0] as Extract<Message, { t: 'put' }>).items[0];
}

describe('frames', () => {
  it('a value arrives as fastClone copies it in one process', () => {
    const values: unknown[] = [
      samples(),
      // biome-ignore lint/suspicious/noSparseArray: a hole is the point: it must arrive as undefined
      { holes: [1, , 3], undef: undefined, nul: null, nan: NaN, inf: -Infinity },
      new Set([1, 'a', { b: 2 }]),
      { re: /x+/gi, ab: new Uint8Array([1, 2, 3]).buffer, dv: new DataView(new ArrayBuffer(2)) },
      { big: -(2n ** 80n), small: 5n, text: 'naïve 😀 ✓' },
      Object.assign(Object.create(null), { a: 1 }),
    ];
    for (const value of values) {
      const here = fastClone(value);
      const there = acrossTheWire(value);
      expect(isDeepStrictEqual(there, here), inspect(value)).to.equal(true);
    }
    expect(Number.isNaN((acrossTheWire(new Date(NaN)) as Date).getTime()), 'an invalid Date').to.equal(true);
  });

  it('an Error arrives with its class, message, stack and cause (and nothing else), as structuredClone gives them', () => {
    const inner = new TypeError('inner');
    const outer = new SyntaxError('outer', { cause: inner });
    const there = acrossTheWire({ outer }) as { outer: SyntaxError };
    const here = structuredClone(outer);
    expect(there.outer).to.be.instanceOf(SyntaxError);
    expect(Object.getOwnPropertyNames(there.outer).sort()).to.deep.equal(Object.getOwnPropertyNames(here).sort());
    expect(there.outer.stack).to.equal(outer.stack);
    expect((there.outer.cause as Error).stack).to.equal(inner.stack);
    expect(there.outer.cause).to.be.instanceOf(TypeError);
    const noMessage = acrossTheWire(new Error()) as Error;
    expect(Object.hasOwn(noMessage, 'message')).to.equal(false);
  });

  it('shared references and cycles survive', () => {
    const shared = { s: 1 };
    const o: Record<string, unknown> = { a: shared, b: shared };
    o.self = o;
    const there = acrossTheWire(o) as Record<string, unknown>;
    expect(there.a).to.equal(there.b);
    expect(there.self).to.equal(there);
  });

  it('a batch over the limit is split into frames under it, items in order', () => {
    const item = (i: number) => 'x'.repeat(300) + i;
    const messages: Message[] = [
      { t: 'put', q: 'q', items: Array.from({ length: 10 }, (_, i) => item(i)) },
      { t: 'ack', q: 'q', tag: 1, n: 1 },
    ];
    const { frames, dropped } = encodeFrames(messages, { limit: 1000 });
    expect(dropped).to.deep.equal([]);
    expect(frames.length).to.be.above(3);
    for (const f of frames) expect(f.byteLength).to.be.at.most(1000);
    const back = frames.flatMap((f) => decodeBatch(f));
    expect(back.flatMap((m) => (m.t === 'put' ? m.items : []))).to.deep.equal(Array.from({ length: 10 }, (_, i) => item(i)));
    expect(back.at(-1)).to.deep.equal({ t: 'ack', q: 'q', tag: 1, n: 1 });
  });

  it('with a header, each frame starts with its payload length', () => {
    const { frames } = encodeFrames([{ t: 'ack', q: 'q', tag: 1, n: 1 }], { header: 4 });
    const f = Buffer.from(frames[0] as Uint8Array);
    expect(f.readUInt32BE(0)).to.equal(f.byteLength - 4);
    expect(decodeBatch(f.subarray(4))).to.deep.equal([{ t: 'ack', q: 'q', tag: 1, n: 1 }]);
  });

  describe(`the deepest values fastClone accepts encode and decode, with half of the stack already in use`, () => {
    const kinds: [string, () => unknown][] = [
      ['objects', () => nested(MAX_DEPTH)],
      [
        'arrays',
        () => {
          let a: unknown[] = [];
          for (let i = 1; i < MAX_DEPTH; i++) a = [a];
          return a;
        },
      ],
      [
        'Maps',
        () => {
          let m = new Map<string, unknown>();
          for (let i = 1; i < MAX_DEPTH; i++) m = new Map([['k', m]]);
          return m;
        },
      ],
      [
        'Sets',
        () => {
          let s = new Set<unknown>();
          for (let i = 1; i < MAX_DEPTH / 2; i++) s = new Set([s]);
          return s;
        },
      ],
      [
        'Error causes',
        () => {
          let e = new Error('root');
          for (let i = 1; i < MAX_DEPTH / 2; i++) e = new Error('e', { cause: e });
          return e;
        },
      ],
      [
        'objects in arrays',
        () => {
          let o: unknown = {};
          for (let i = 1; i < MAX_DEPTH / 2; i++) o = { a: [o] };
          return o;
        },
      ],
    ];
    for (const [name, make] of kinds) {
      it(name, () => {
        const copy = fastClone(make());
        const ran = atStackDepth(Math.floor(stackFrames() / 2), () => encodeFrames([{ t: 'put', q: 'q', items: [copy] }]));
        expect(ran, 'the spec reached half the stack').to.not.equal(undefined);
        const { frames, dropped } = ran!.value;
        expect(dropped).to.deep.equal([]);
        expect(isDeepStrictEqual((decodeBatch(frames[0] as Uint8Array)[0] as Extract<Message, { t: 'put' }>).items[0], copy)).to.equal(
          true,
        );
      });
    }
  });
});

describe('coalesce: leased items', () => {
  const items = (tag: number, list: unknown[], attempts?: number[]): Message =>
    (attempts ? { t: 'items', q: 'q', tag, items: list, attempts } : { t: 'items', q: 'q', tag, items: list }) as Message;

  it('folds the next tags into one message while no item carries an attempt count', () => {
    const last = items(1, ['a']);
    expect(coalesce(last, items(2, ['b', 'c']))).to.equal(true);
    expect(last).to.deep.equal(items(1, ['a', 'b', 'c']));
  });

  it('keeps an item with an attempt count in a message of its own (the counts line up with its items)', () => {
    expect(coalesce(items(1, ['a']), items(2, ['b'], [1]))).to.equal(false);
    expect(coalesce(items(1, ['a'], [2]), items(2, ['b']))).to.equal(false);
  });
});
