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

  it('ProcessError: its stack is its own line followed by the child’s frames, and it keeps a cause', () => {
    const cause = new TypeError('bad');
    const child = { name: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at parse (file:///w.js:3:9)' };
    const p = new ProcessError('w', 1, null, child, { cause });
    expect(p.stack).to.equal('ProcessError: process w exited with code 1: TypeError: bad\n    at parse (file:///w.js:3:9)');
    expect(p.cause).to.equal(cause);
    // A stack whose first line no longer matches its message still gives its frames.
    const changed = new ProcessError('w', 1, null, { ...child, message: 'changed later' });
    expect(changed.stack).to.equal('ProcessError: process w exited with code 1: TypeError: changed later\n    at parse (file:///w.js:3:9)');
    // Without a child's stack, the stack is where it was made.
    expect(new ProcessError('w', null, 'SIGKILL').stack).to.contain('errors.spec.js');
  });
});
