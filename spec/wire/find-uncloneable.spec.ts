import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { findUncloneable } from '../../src/wire/find-uncloneable.js';

describe('findUncloneable', () => {
  it('finds nothing in plain cloneable data', () => {
    expect(findUncloneable({ a: [1, 'x', null, new Date(), new Map([[1, new Set([2])]]), 3n, new Uint8Array(2)] })).to.equal(undefined);
  });

  it('names functions, symbols and promises by path', () => {
    expect(findUncloneable({ job: { callback: () => 0 } })).to.deep.equal({ path: '$.job.callback', reason: 'is a function' });
    expect(findUncloneable([0, [1, Symbol('x')]])).to.deep.equal({ path: '$[1][1]', reason: 'is a symbol' });
    expect(findUncloneable({ 'odd key': Promise.resolve() })?.path).to.equal('$["odd key"]');
  });

  it('looks inside Maps and Sets', () => {
    expect(findUncloneable(new Map([['k', () => 0]]))?.path).to.equal('$.get("k")');
    expect(findUncloneable(new Set([1, new WeakMap()]))?.path).to.equal('$.<item 1>');
  });

  it('names a host object as a whole', () => {
    const found = findUncloneable({ emitter: Object.assign(new EventEmitter(), { handler: () => 0 }) });
    expect(found?.path).to.equal('$.emitter');
    expect(found?.reason).to.contain('EventEmitter');
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    a.fn = () => 0;
    expect(findUncloneable(a)?.path).to.equal('$.fn');
  });
});
