import { expect } from 'chai';
import { Pipe } from '../src/index.js';
import { pipeConformance } from './conformance/pipe.suite.js';

pipeConformance('in-process', async (options = {}) => Pipe(options));

describe('Pipe()', () => {
  it('takes (duplex) or (duplex, options) or (options)', () => {
    expect(Pipe(false)[1].writable).to.equal(true);
    expect(Pipe(false)[1].readable).to.equal(false);
    expect(Pipe(true, { window: 10 })[0].writable).to.equal(true);
    expect(Pipe({ duplex: false })[0].writable).to.equal(false);
  });

  it('rejects bad arguments with TypeError/RangeError quoting them', () => {
    expect(() => Pipe('yes' as unknown as boolean)).to.throw(TypeError, '"yes"');
    expect(() => Pipe({ window: 0 })).to.throw(RangeError, '0');
    expect(() => Pipe({ duplex: 1 as unknown as boolean })).to.throw(TypeError);
    expect(() => Pipe({ scheduler: {} as never })).to.throw(TypeError);
  });
});
