import { expect } from 'chai';
import { ProtocolError } from '../../src/errors.js';
import { checkMessage, MAX_FETCH } from '../../src/wire/validate.js';

describe('checkMessage', () => {
  const home = { id: '1.0.abc', path: '/tmp/rxmp-x/s' };
  const good: unknown[] = [
    { t: 'hello', id: '1.0.abc' },
    { t: 'put', q: 'q1', items: [1, 'two', { three: 3 }] },
    { t: 'want', q: 'q1', n: 1024, try: true },
    { t: 'fetch', q: 'q1', n: MAX_FETCH },
    { t: 'giveback', q: 'q1', tags: [3, 4] },
    { t: 'requeue', q: 'q1', items: [1], tags: [] },
    { t: 'call', q: 'q1', rid: 7, op: 'flush' },
    { t: 'call', q: 'q1', rid: 8, op: 'unfinished' },
    { t: 'call', q: 'q1', rid: 9, op: 'end', error: { name: 'RangeError', message: 'upstream failed' } },
    { t: 'ended', q: 'q1' },
    { t: 'ended', q: 'q1', error: { name: 'Error', message: '', stack: 'Error\n    at x', fields: { code: 'E' } } },
    { t: 'items', q: 'q1', tag: 1, items: ['a', 'b'], attempts: [2, 0] },
    { t: 'requeue', q: 'q1', tags: [3, 4], failed: [4] },
    { t: 'attach', q: 'q1', where: 'pid 12 thread 3' },
    { t: 'reply', rid: 7 },
    { t: 'reply', rid: 7, value: 3 },
    { t: 'pdata', p: 'p1', e: 1, seq: 1, data: [1, new Uint8Array(2)], raw: [1] },
    { t: 'phello', p: 'p1', e: 0, home, received: 0, consumed: 0 },
    { t: 'preg', p: 'p1', e: 0, gen: 2 },
    { t: 'preg', p: 'p1', e: 0, gen: 2, home: { id: '2.0.def' } },
    { t: 'pgone', p: 'p1', e: 1 },
    { t: 'pgone', p: 'p1', e: 1, at: '2.0.def' },
  ];
  for (const m of good) {
    it(`accepts ${JSON.stringify(m)}`, () => expect(() => checkMessage(m)).to.not.throw());
  }

  const bad: [unknown, string][] = [
    [null, 'must be an object'],
    [{ t: 'bogus' }, 'unknown message type "bogus"'],
    [{ t: 'toString' }, 'unknown message type "toString"'],
    [{ q: 'q1', n: 1 }, 'unknown message type undefined'],
    [{ t: 'fetch', q: 'q1', n: MAX_FETCH + 1 }, 'bad "n"'],
    [{ t: 'fetch', q: 'q1', n: Infinity }, 'bad "n"'],
    [{ t: 'refund', q: 'q1', n: -1 }, 'bad "n"'],
    [{ t: 'ack', q: 'q1', n: 0.5 }, 'bad "n"'],
    [{ t: 'ack', q: 'q1', n: '1' }, 'bad "n"'],
    [{ t: 'want', q: 'q1', n: NaN }, 'bad "n"'],
    [{ t: 'put', q: 'q1', items: 'abc' }, 'bad "items"'],
    [{ t: 'put', q: 7, items: [] }, 'bad "q"'],
    [{ t: 'done', q: 'q1', tags: [1, -2] }, 'bad "tags"'],
    [{ t: 'call', q: 'q1', rid: 1, op: 'drop' }, 'bad "op"'],
    [{ t: 'call', q: 'q1', rid: 1, op: 'end', error: 'boom' }, 'bad "error"'],
    [{ t: 'ended', q: 'q1', error: { name: 7, message: 'x' } }, 'bad "error"'],
    [{ t: 'ended', q: 'q1', error: { name: 'Error' } }, 'bad "error"'],
    [{ t: 'ended', q: 'q1', error: [] }, 'bad "error"'],
    [{ t: 'items', q: 'q1', tag: 1, items: ['a'], attempts: [-1] }, 'bad "attempts"'],
    [{ t: 'items', q: 'q1', tag: 1, items: ['a'], attempts: 1 }, 'bad "attempts"'],
    [{ t: 'requeue', q: 'q1', tags: [1], failed: [0.5] }, 'bad "failed"'],
    [{ t: 'attach', q: 'q1', where: 12 }, 'bad "where"'],
    [{ t: 'pdata', p: 'p1', e: 2, seq: 1, data: [] }, 'bad "e"'],
    [{ t: 'pack', p: 'p1', e: 0, received: 1 }, 'bad "consumed"'],
    [{ t: 'pwhere', p: 'p1', e: 0, home: { path: '/x' } }, 'bad "home"'],
    [{ t: 'pgone', p: 'p1', e: 0, at: 7 }, 'bad "at"'],
  ];
  for (const [m, why] of bad) {
    it(`refuses ${JSON.stringify(m)} with ProtocolError (${why})`, () => {
      expect(() => checkMessage(m)).to.throw(ProtocolError, why);
    });
  }
});
