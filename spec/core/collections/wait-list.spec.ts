import { expect } from 'chai';
import { WaitList } from '../../../src/core/collections/wait-list.js';

describe('WaitList', () => {
  it('shifts waiters oldest first', () => {
    const list = new WaitList<string>();
    list.push('a');
    list.push('b');
    expect(list.shift()).to.equal('a');
    expect(list.shift()).to.equal('b');
    expect(list.shift()).to.equal(undefined);
  });

  it('removes a node from the middle, once', () => {
    const list = new WaitList<string>();
    list.push('a');
    const b = list.push('b');
    list.push('c');
    expect(list.remove(b)).to.equal(true);
    expect(list.remove(b)).to.equal(false);
    expect(list.drain()).to.deep.equal(['a', 'c']);
    expect(list.length).to.equal(0);
  });

  it('removes the head and the tail and stays consistent', () => {
    const list = new WaitList<number>();
    const first = list.push(1);
    list.push(2);
    const last = list.push(3);
    list.remove(first);
    list.remove(last);
    expect(list.peek()).to.equal(2);
    list.push(4);
    expect(list.drain()).to.deep.equal([2, 4]);
  });
});
