import { expect } from 'chai';
import { SerializationError } from '../../src/errors.js';
import { cloneValue } from '../../src/wire/structured-clone.js';

describe('cloneValue', () => {
  it('returns primitives as they are and copies objects', () => {
    expect(cloneValue(5)).to.equal(5);
    expect(cloneValue('s')).to.equal('s');
    const o = { a: [1] };
    const c = cloneValue(o);
    expect(c).to.deep.equal(o);
    expect(c).to.not.equal(o);
  });

  it('throws SerializationError for functions and symbols, even at the top', () => {
    expect(() => cloneValue(() => 0)).to.throw(SerializationError, '$ is a function');
    expect(() => cloneValue(Symbol('s'))).to.throw(SerializationError, '$ is a symbol');
  });
});
