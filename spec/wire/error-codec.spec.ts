import { expect } from 'chai';
import { Empty, FileExistsError, FileNotFoundError, NativeUnavailableError, NotHeldError } from '../../src/errors.js';
import { decodeError, encodeError } from '../../src/wire/error-codec.js';

describe('error codec', () => {
  it('keeps name, message and stack, and the class of built-in and rxmp errors', () => {
    const original = new TypeError('wrong');
    const back = decodeError(encodeError(original));
    expect(back).to.be.instanceOf(TypeError);
    expect(back.message).to.equal('wrong');
    expect(back.stack).to.equal(original.stack);
    expect(decodeError(encodeError(new Empty(5)))).to.be.instanceOf(Empty);
  });

  it('keeps the class and fields of the shared-memory and lock errors too', () => {
    const missing = decodeError(encodeError(new FileNotFoundError('gone', { syscall: 'shm_open', path: '/x' })));
    expect(missing).to.be.instanceOf(FileNotFoundError);
    expect(missing).to.include({ code: 'ENOENT', syscall: 'shm_open', path: '/x' });
    expect(decodeError(encodeError(new FileExistsError('taken')))).to.be.instanceOf(FileExistsError);
    expect(decodeError(encodeError(new NotHeldError()))).to.be.instanceOf(NotHeldError);
    const unavailable = decodeError(encodeError(new NativeUnavailableError('SharedMemory', 'no build')));
    expect(unavailable).to.be.instanceOf(NativeUnavailableError);
    expect((unavailable as NativeUnavailableError).reason).to.equal('no build');
  });

  it('keeps the name of a custom error class on a plain Error', () => {
    class Custom extends Error {
      override name = 'Custom';
    }
    const back = decodeError(encodeError(new Custom('mine')));
    expect(back).to.be.instanceOf(Error);
    expect(back.name).to.equal('Custom');
    expect(String(back.stack)).to.contain('mine');
  });

  it('turns thrown non-errors into errors', () => {
    expect(decodeError(encodeError('just a string')).message).to.equal('just a string');
    expect(decodeError(encodeError(42)).message).to.equal('42');
  });
});

describe('decodeError', () => {
  it('builds a native error, as util.types sees it', async () => {
    const { types } = await import('node:util');
    expect(types.isNativeError(decodeError({ name: 'RangeError', message: 'm' }))).to.equal(true);
  });
});

describe('error codec: context fields and causes', () => {
  const roundTrip = <E extends Error>(error: E): E => decodeError(encodeError(error)) as E;

  it("keeps rxmp errors' context fields", async () => {
    const errors = await import('../../src/errors.js');
    const full = roundTrip(new errors.Full(10, 250));
    expect(full).to.be.instanceOf(errors.Full);
    expect([full.maxsize, full.timeout]).to.deep.equal([10, 250]);
    expect(roundTrip(new errors.Empty(30)).timeout).to.equal(30);
    expect(roundTrip(new errors.SerializationError('$.a.b', 'x')).path).to.equal('$.a.b');
    expect(roundTrip(new errors.ClosedError('peer')).resource).to.equal('peer');
    const long = roundTrip(new errors.MessageTooLong(100, 10));
    expect([long.length, long.maxlength]).to.deep.equal([100, 10]);
    const failed = roundTrip(new errors.ProcessError('p', 3, null, { name: 'TypeError', message: 'm' }));
    expect([failed.exitCode, failed.signal, failed.childError]).to.deep.equal([3, null, { name: 'TypeError', message: 'm' }]);
    expect([...roundTrip(new errors.BufferTooShort(new Uint8Array([1, 2]), 1)).bytes]).to.deep.equal([1, 2]);
  });

  it("keeps a plain error's own enumerable fields as copies, leaving out what cannot be copied", () => {
    const original = Object.assign(new Error('io'), {
      code: 'ENOENT',
      errno: -2,
      info: { path: '/x', tags: new Set(['a']) },
      callback: () => 0,
    });
    const back = roundTrip(original) as unknown as Error & Record<string, unknown>;
    expect([back.code, back.errno]).to.deep.equal(['ENOENT', -2]);
    expect(back.info).to.deep.equal({ path: '/x', tags: new Set(['a']) });
    expect(back.info).to.not.equal(original.info);
    expect('callback' in back).to.equal(false);
    expect(Object.keys(back)).to.deep.equal(['code', 'errno', 'info']);
  });

  it('keeps the cause, recursively: an error cause with its class, fields and stack, any other value as a copy', () => {
    const root = Object.assign(new TypeError('root'), { code: 7 });
    const middle = new Error('middle', { cause: root });
    const back = roundTrip(new RangeError('top', { cause: middle }));
    const m = back.cause as Error;
    expect(m).to.be.instanceOf(Error);
    expect(m.stack).to.equal(middle.stack);
    const r = m.cause as TypeError & { code: number };
    expect(r).to.be.instanceOf(TypeError);
    expect([r.message, r.code, r.stack]).to.deep.equal(['root', 7, root.stack]);
    expect(Object.getOwnPropertyDescriptor(back, 'cause')?.enumerable).to.equal(false);
    expect(roundTrip(new Error('x', { cause: { reason: 'quota', n: 5n } })).cause).to.deep.equal({ reason: 'quota', n: 5n });
    expect(Object.hasOwn(roundTrip(new Error('no cause')), 'cause')).to.equal(false);
  });

  it('bounds a chain of causes (and survives a cycle)', () => {
    let error = new Error('0');
    for (let i = 1; i < 100; i++) error = new Error(String(i), { cause: error });
    let depth = 0;
    for (let e: unknown = roundTrip(error); e instanceof Error; e = e.cause) depth++;
    expect(depth).to.be.within(2, 100);
    const cyclic = new Error('self');
    cyclic.cause = cyclic;
    expect(roundTrip(cyclic).message).to.equal('self');
  });

  it('turns a malformed description from a peer into a plain Error instead of throwing', () => {
    const broken = [
      {},
      { name: 5, message: {} },
      { name: 'Full', message: 'm', fields: 'not an object' },
      { name: 'Error', message: 'm', cause: 'bad' },
    ];
    for (const info of broken) expect(decodeError(info as never)).to.be.instanceOf(Error);
    const polluted = decodeError({
      name: 'Error',
      message: 'm',
      fields: JSON.parse('{"__proto__": {"admin": true}, "name": "x", "ok": 1}'),
    } as never);
    expect((polluted as unknown as { admin?: boolean }).admin).to.equal(undefined);
    expect((polluted as unknown as { ok: number }).ok).to.equal(1);
  });
});
