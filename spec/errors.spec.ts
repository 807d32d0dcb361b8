import { expect } from 'chai';
import {
  AuthenticationError,
  BufferTooShort,
  ClosedError,
  Empty,
  EOFError,
  Full,
  MessageTooLong,
  ProcessError,
  ProtocolError,
  SerializationError,
  Unfinished,
} from '../src/index.js';

describe('errors', () => {
  const cases: [Error, string][] = [
    [new Empty(5), 'Empty'],
    [new Full(3, 0), 'Full'],
    [new ClosedError('queue'), 'ClosedError'],
    [new EOFError(), 'EOFError'],
    [new SerializationError('$.a', '$.a is a function'), 'SerializationError'],
    [new BufferTooShort(new Uint8Array(4), 2), 'BufferTooShort'],
    [new MessageTooLong(10, 4), 'MessageTooLong'],
    [new ProcessError('worker', 1, null, { name: 'TypeError', message: 'x' }), 'ProcessError'],
    [new AuthenticationError(), 'AuthenticationError'],
    [new ProtocolError('bad frame'), 'ProtocolError'],
    [new Unfinished(5, 2), 'Unfinished'],
  ];
  for (const [error, name] of cases) {
    it(`${name} is an Error with its own name`, () => {
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal(name);
      expect(String(error.stack)).to.match(new RegExp(`^${name}`));
    });
  }

  it('carry their context fields', () => {
    expect(new Empty(5).timeout).to.equal(5);
    expect(new Unfinished(5, 2)).to.include({ timeout: 5, unfinished: 2 });
    expect(new Full(3, 7)).to.include({ maxsize: 3, timeout: 7 });
    expect(new ClosedError('connection').resource).to.equal('connection');
    expect(new SerializationError('$.x', 'm').path).to.equal('$.x');
    expect([...new BufferTooShort(new Uint8Array([1, 2]), 1).bytes]).to.deep.equal([1, 2]);
    const p = new ProcessError('w', null, 'SIGKILL');
    expect(p).to.include({ exitCode: null, signal: 'SIGKILL' });
    expect(p.message).to.contain('SIGKILL');
    const q = new ProcessError('w', 1, null, { name: 'TypeError', message: 'bad', stack: 'TypeError: bad\n  at x' });
    expect(q.childError?.stack).to.contain('at x');
    expect(q.message).to.contain('TypeError: bad');
  });
});
