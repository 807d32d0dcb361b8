import { expect } from 'chai';
import { TaskLedger } from '../../../src/core/queue/task-ledger.js';

describe('TaskLedger', () => {
  it('releases joiners at once when no task is open', () => {
    const ledger = new TaskLedger();
    let released = 0;
    ledger.join(() => released++);
    expect(released).to.equal(1);
  });

  it('releases every joiner when the last open task closes', () => {
    const ledger = new TaskLedger();
    ledger.opened(2);
    let released = 0;
    ledger.join(() => released++);
    ledger.join(() => released++);
    ledger.closed();
    expect(released).to.equal(0);
    ledger.closed();
    expect(released).to.equal(2);
    expect(ledger.unfinished).to.equal(0);
  });

  it('throws RangeError when closing more tasks than are open, changing nothing', () => {
    const ledger = new TaskLedger();
    ledger.opened();
    expect(() => ledger.closed(2)).to.throw(RangeError, 'called too many times');
    expect(ledger.unfinished).to.equal(1);
  });

  it('a cancelled joiner is not released', () => {
    const ledger = new TaskLedger();
    ledger.opened();
    let released = false;
    const cancel = ledger.join(() => (released = true));
    cancel();
    ledger.closed();
    expect(released).to.equal(false);
  });
});
