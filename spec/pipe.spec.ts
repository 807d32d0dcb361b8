import { expect } from 'chai';
import { Pipe, SerializationError } from '../src/index.js';
import { MAX_ITEM_BYTES } from '../src/wire/framing.js';
import { expectRejection } from './support/async.js';
import { pipeConformance } from './conformance/pipe.suite.js';

pipeConformance('in-process', async (options = {}) => Pipe(options));

describe('Pipe() in one process', () => {
  it('makes a sent message visible at once: poll() is true and recv({ timeout: 0 }) gets it', async () => {
    const [a, b] = Pipe<number>();
    await a.send(1);
    expect(await b.poll()).to.equal(true);
    expect(await b.recv({ timeout: 0 })).to.equal(1);
    await a.close();
    expect(await b.poll()).to.equal(true);
  });
});

describe('Connection.poll', () => {
  it('rejects ClosedError when its own end closes while it waits', async () => {
    const [a] = Pipe<number>();
    const waiting = a.poll(10_000);
    await a.close();
    const error = await waiting.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.equal('ClosedError');
  });
});

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

  it('sendBytes() of more bytes than one message may carry rejects SerializationError at the call; nothing is sent', async () => {
    const [a, b] = Pipe();
    const huge = Buffer.allocUnsafe(MAX_ITEM_BYTES + 1);
    const error = await expectRejection(a.sendBytes(huge), SerializationError);
    expect(error.path).to.equal('$');
    await a.sendBytes(huge, 0, 4);
    expect((await b.recvBytes()).byteLength).to.equal(4);
    await a.close();
    await b.close();
  });
});
