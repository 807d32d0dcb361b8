import { expect } from 'chai';
import { SerializationError } from '../../src/errors.js';
import { fastClone } from '../../src/wire/fast-clone.js';

describe('fastClone', () => {
  it('returns primitives as they are', () => {
    for (const v of [0, 1.5, NaN, 'x', true, undefined, null, 5n]) expect(Object.is(fastClone(v), v)).to.equal(true);
  });

  it('turns -0 into 0, as it arrives in another process (msgpack has no negative integer zero); a typed array keeps it', () => {
    expect(Object.is(fastClone(-0), 0)).to.equal(true);
    const copy = fastClone({ n: -0, list: [-0], f: new Float64Array([-0]) });
    expect([Object.is(copy.n, 0), Object.is(copy.list[0], 0), Object.is(copy.f[0], -0)]).to.deep.equal([true, true, true]);
  });

  it('deep-copies plain objects and arrays', () => {
    const original = { a: 1, list: [1, { deep: 'x' }], nested: { b: [2] } };
    const copy = fastClone(original);
    expect(copy).to.deep.equal(original);
    expect(copy).to.not.equal(original);
    expect(copy.list).to.not.equal(original.list);
    expect(copy.list[1]).to.not.equal(original.list[1]);
    expect(copy.nested.b).to.not.equal(original.nested.b);
  });

  it('keeps cycles and shared references', () => {
    const shared = { s: 1 };
    const o: Record<string, unknown> = { x: shared, y: shared, list: [shared] };
    o.self = o;
    const copy = fastClone(o) as Record<string, unknown> & { x: object; y: object; list: object[] };
    expect(copy.self).to.equal(copy);
    expect(copy.x).to.equal(copy.y);
    expect(copy.list[0]).to.equal(copy.x);
    expect(copy.x).to.not.equal(shared);
  });

  it('copies exotic values with structured-clone semantics', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const v = {
      m: new Map([[1, { a: 1 }]]),
      s: new Set([1]),
      d: new Date(5),
      u: new Uint8Array([1, 2]),
      e: new RangeError('r'),
      p: new Point(1, 2),
    };
    const copy = fastClone(v);
    expect(copy.m.get(1)).to.deep.equal({ a: 1 });
    expect(copy.m).to.not.equal(v.m);
    expect(copy.d.getTime()).to.equal(5);
    expect([...copy.u]).to.deep.equal([1, 2]);
    expect(copy.e).to.be.instanceOf(RangeError);
    expect(copy.p).to.deep.equal({ x: 1, y: 2 });
    expect(Object.getPrototypeOf(copy.p)).to.equal(Object.prototype);
  });

  it('keeps identity through Maps and Sets (a Map holding its owner)', () => {
    const o: Record<string, unknown> = {};
    o.m = new Map([['self', o]]);
    o.s = new Set([o]);
    const copy = fastClone(o) as { m: Map<string, unknown>; s: Set<unknown> };
    expect(copy.m.get('self')).to.equal(copy);
    expect([...copy.s][0]).to.equal(copy);
    expect(copy.m).to.not.equal(o.m);
  });

  it('refuses an own "__proto__" key instead of turning it into a prototype', () => {
    const hostile = JSON.parse('{"__proto__":{"admin":true},"x":1}') as object;
    try {
      fastClone({ req: hostile });
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.be.instanceOf(SerializationError);
      expect((error as SerializationError).path).to.equal('$.req["__proto__"]');
    }
  });

  it('turns boxed primitives into their values, so no encoding can drop them', () => {
    expect(fastClone({ n: new Number(5), s: new String('x'), b: new Boolean(true) })).to.deep.equal({ n: 5, s: 'x', b: true });
  });

  it('refuses functions and symbols anywhere, naming the path', () => {
    const cases: [unknown, string][] = [
      [() => 0, '$'],
      [Symbol('s'), '$'],
      [{ job: { callback: () => 0 } }, '$.job.callback'],
      [[1, [2, Symbol('x')]], '$[1][1]'],
      [{ m: new Map([['k', () => 0]]) }, '$.m.get("k")'],
      [{ p: Promise.resolve() }, '$.p'],
    ];
    for (const [value, path] of cases) {
      try {
        fastClone(value);
        expect.fail(`should refuse ${path}`);
      } catch (error) {
        expect(error).to.be.instanceOf(SerializationError);
        expect((error as SerializationError).path).to.equal(path);
      }
    }
  });
});
