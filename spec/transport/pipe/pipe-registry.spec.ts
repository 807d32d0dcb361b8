/** The registry of where a pipe's ends live, driven message by message (its answers recorded). */
import { expect } from 'chai';
import { PipeRegistry } from '../../../src/transport/pipe/pipe-registry.js';
import type { Address, PipeMsg } from '../../../src/wire/protocol/index.js';

function registry(): { reg: PipeRegistry; told: string[] } {
  const told: string[] = [];
  const reg = new PipeRegistry((home: Address, m: PipeMsg) => {
    const about = m.t === 'pwhere' ? ` at ${m.home.id}` : m.t === 'pgone' && m.at ? ` last at ${m.at}` : '';
    told.push(`${home.id} ← ${m.t} ${m.e}${about}`);
  });
  reg.add('p', { id: 'reg' });
  return { reg, told };
}

describe('PipeRegistry', () => {
  it('introduces the two homes to each other when an end arrives at a new home', () => {
    const { reg, told } = registry();
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1 }); // left, on its way
    expect(told).to.deep.equal([]);
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1, home: { id: 'child' } });
    expect(told).to.deep.equal(['reg ← pwhere 1 at child', 'child ← pwhere 0 at reg']);
  });

  it('ignores news older than what it knows', () => {
    const { reg, told } = registry();
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 2, home: { id: 'grandchild' } });
    told.length = 0;
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1, home: { id: 'child' } });
    reg.lost({ t: 'plost', p: 'p', e: 1, gen: 1 }); // it had moved on from that child
    expect(told).to.deep.equal([]);
  });

  it('an end lost with its process: its peer’s home is told, with where it had arrived', () => {
    const { reg, told } = registry();
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1, home: { id: 'child' } });
    told.length = 0;
    reg.lost({ t: 'plost', p: 'p', e: 1, gen: 1 });
    expect(told).to.deep.equal(['reg ← pgone 1 last at child']);
    reg.registered({ t: 'preg', p: 'p', e: 0, gen: 1, home: { id: 'other' } });
    expect(told.at(-1), 'the peer moving on learns it too').to.equal('other ← pgone 1 last at child');
  });

  it('forgets a pipe once both ends are done, or one done and one lost; a done end is introduced to no one and is never lost', () => {
    const { reg, told } = registry();
    reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1, home: { id: 'child' } });
    reg.done({ t: 'pdone', p: 'p', e: 1, gen: 1 });
    expect(reg.size).to.equal(1);
    told.length = 0;
    reg.lost({ t: 'plost', p: 'p', e: 1, gen: 1 }); // the child exited after closing it: not a loss
    reg.registered({ t: 'preg', p: 'p', e: 0, gen: 1, home: { id: 'other' } });
    expect(told, 'nothing to introduce, nothing lost').to.deep.equal([]);
    reg.done({ t: 'pdone', p: 'p', e: 0, gen: 1 });
    expect(reg.size).to.equal(0);

    const second = registry();
    second.reg.registered({ t: 'preg', p: 'p', e: 1, gen: 1, home: { id: 'child' } });
    second.reg.lost({ t: 'plost', p: 'p', e: 1, gen: 1 });
    second.reg.done({ t: 'pdone', p: 'p', e: 0, gen: 0 });
    expect(second.reg.size).to.equal(0);
  });
});
