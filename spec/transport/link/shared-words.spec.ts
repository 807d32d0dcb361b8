import { expect } from 'chai';
import { SharedWords } from '../../../src/transport/link/shared-words.js';

describe('SharedWords', () => {
  it('a word claimed starts at 0, advances from the value last written, and not from any other', () => {
    const mine = new SharedWords();
    const i = mine.claim() as number;
    expect(mine.advance(i, 0, 5)).to.equal(true);
    expect(mine.advance(i, 0, 6), 'not from a stale value').to.equal(false);
    expect(mine.advance(i, 5, 9)).to.equal(true);
  });

  it('the reader’s fence returns the last value, and no advance succeeds after it', () => {
    const mine = new SharedWords();
    const theirs = new SharedWords(mine.buffer);
    const i = mine.claim() as number;
    mine.advance(i, 0, 41);
    expect(theirs.fence(i)).to.equal(41);
    expect(mine.advance(i, 41, 42)).to.equal(false);
  });

  it('hands out each word once until released; a released word is claimed again reset to 0', () => {
    const mine = new SharedWords();
    const claimed = new Set<number>();
    for (let n = 0; n < SharedWords.COUNT; n++) claimed.add(mine.claim() as number);
    expect(claimed.size).to.equal(SharedWords.COUNT);
    expect(mine.claim()).to.equal(undefined);
    mine.advance(7, 0, 3);
    mine.release(7);
    expect(mine.claim()).to.equal(7);
    expect(mine.advance(7, 0, 1)).to.equal(true);
  });
});
