import { expect } from 'chai';
import { Deque } from '../../../src/core/collections/deque.js';

describe('Deque', () => {
  it('shifts items in push order', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.push(i);
    const out: number[] = [];
    while (d.length > 0) out.push(d.shift() as number);
    expect(out).to.deep.equal([...Array(100).keys()]);
  });

  it('puts unshifted items in front, in the order given back', () => {
    const d = new Deque<string>(4);
    d.push('c');
    d.push('d');
    d.unshift('b');
    d.unshift('a');
    d.push('e'); // forces growth while wrapped
    expect([...d]).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(d.drain()).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(d.length).to.equal(0);
  });

  it('keeps order across many wraps of the ring', () => {
    const d = new Deque<number>(4);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 1000; round++) {
      for (let i = 0; i < 3; i++) d.push(next++);
      for (let i = 0; i < 2; i++) expect(d.shift()).to.equal(expected++);
    }
    expect(d.length).to.equal(1000);
    expect(d.peek()).to.equal(expected);
  });

  it('returns undefined when shifting or peeking an empty deque', () => {
    const d = new Deque<number>();
    expect(d.shift()).to.equal(undefined);
    expect(d.peek()).to.equal(undefined);
  });

  it('holds and drains a million items in order', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 1_000_000; i++) d.push(i);
    let sum = 0;
    for (let i = 0; i < 1_000_000; i++) sum += d.shift() as number;
    expect(sum).to.equal((999_999 * 1_000_000) / 2);
  });
});
