/**
 * The Pipe/Connection conformance suite: written once, run against every
 * transport. Public API and real time only (generous bounds).
 */
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  BufferTooShort,
  ClosedError,
  type Connection,
  Empty,
  EOFError,
  Full,
  MessageTooLong,
  SerializationError,
} from '../../src/index.js';
import { expectRejection, settledWithin } from '../support/async.js';

export interface PipeOptionsUnderTest {
  duplex?: boolean;
  /** Bytes the receiving end buffers before `send` waits. */
  window?: number;
}

/** Makes two connected ends of the kind under test. */
export type MakePipe = <T>(options?: PipeOptionsUnderTest) => Promise<[Connection<T>, Connection<T>]>;

const SHORT = 40;
/** Long enough for a message to cross processes on a loaded machine (poll returns as soon as it does). */
const ARRIVES = 10_000;

export function pipeConformance(label: string, makePipe: MakePipe): void {
  describe(`Pipe conformance: ${label}`, () => {
    describe('send and recv', () => {
      it('carries messages both ways on a duplex pipe, in order', async () => {
        const [a, b] = await makePipe<number>();
        for (let i = 0; i < 20; i++) await a.send(i);
        await b.send(-1);
        const got: number[] = [];
        for (let i = 0; i < 20; i++) got.push(await b.recv());
        expect(got).to.deep.equal([...Array(20).keys()]);
        expect(await a.recv()).to.equal(-1);
      });

      it('copies at send: changing the original afterwards changes nothing', async () => {
        const [a, b] = await makePipe<{ list: number[] }>();
        const message = { list: [1] };
        await a.send(message);
        message.list.push(2);
        expect(await b.recv()).to.deep.equal({ list: [1] });
      });

      it('carries a 4 MiB message intact', async () => {
        const [a, b] = await makePipe<Uint8Array>();
        const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 253);
        const sent = a.send(big);
        const got = await b.recv();
        await sent;
        expect(got.byteLength).to.equal(big.byteLength);
        expect(got[4_000_000]).to.equal(4_000_000 % 253);
      });

      it('.recv({ timeout }) rejects Empty after its timeout; timeout 0 polls', async () => {
        const [a, b] = await makePipe<number>();
        const started = Date.now();
        await expectRejection(b.recv({ timeout: SHORT }), Empty);
        expect(Date.now() - started).to.be.at.least(SHORT - 5);
        await expectRejection(b.recv({ timeout: 0 }), Empty);
        await a.send(1);
        expect(await b.poll(ARRIVES)).to.equal(true); // across processes a sent message takes a moment to arrive
        expect(await b.recv({ timeout: 0 })).to.equal(1);
      });

      it('rejects an unserializable message with SerializationError naming its path, sending nothing', async () => {
        const [a, b] = await makePipe<unknown>();
        const error = await expectRejection(a.send({ handler: { fn: () => 0 } }), SerializationError);
        expect(error.path).to.equal('$.handler.fn');
        await a.send('next');
        expect(await b.recv()).to.equal('next');
      });

      it('rejects bad timeouts with RangeError/TypeError', async () => {
        const [a, b] = await makePipe<number>();
        await expectRejection(b.recv({ timeout: -1 }), RangeError);
        await expectRejection(a.send(1, { timeout: Number.NaN }), RangeError);
        await expectRejection(b.poll('soon' as unknown as number), TypeError);
        await expectRejection(b.poll(-1), RangeError);
      });

      it('an aborted recv takes nothing', async () => {
        const [a, b] = await makePipe<number>();
        const ac = new AbortController();
        const waiting = b.recv({ signal: ac.signal });
        ac.abort();
        await waiting.then(
          () => expect.fail('withdrawn'),
          () => undefined,
        );
        await a.send(5);
        expect(await b.recv()).to.equal(5);
      });
    });

    describe('window and backpressure', () => {
      it('send waits while the peer’s window is full and resolves once the peer reads', async () => {
        const [a, b] = await makePipe<Uint8Array>({ window: 1024 });
        await a.send(new Uint8Array(600));
        const second = a.send(new Uint8Array(600));
        expect(await settledWithin(second, SHORT)).to.equal(false);
        expect((await b.recv()).byteLength).to.equal(600);
        await second;
        expect((await b.recv()).byteLength).to.equal(600);
      });

      it('a message larger than the window still goes through once the buffer is empty', async () => {
        const [a, b] = await makePipe<Uint8Array>({ window: 1024 });
        const sent = a.send(new Uint8Array(10_000));
        expect((await b.recv()).byteLength).to.equal(10_000);
        await sent;
      });

      it('send({ timeout }) rejects Full while the window stays full, sending nothing', async () => {
        const [a, b] = await makePipe<Uint8Array>({ window: 1024 });
        await a.send(new Uint8Array(1000));
        await expectRejection(a.send(new Uint8Array(1000), { timeout: SHORT }), Full);
        await expectRejection(a.send(new Uint8Array(1000), { timeout: 0 }), Full);
        await b.recv();
        await expectRejection(b.recv({ timeout: SHORT }), Empty);
      });
    });

    describe('bytes', () => {
      it('sendBytes/recvBytes carry raw bytes, including the empty message', async () => {
        const [a, b] = await makePipe();
        await a.sendBytes(new Uint8Array([1, 2, 3]));
        await a.sendBytes(new Uint8Array(0));
        expect([...(await b.recvBytes())]).to.deep.equal([1, 2, 3]);
        expect((await b.recvBytes()).byteLength).to.equal(0);
      });

      it('sendBytes counts offset and size in bytes, for multi-byte arrays too', async () => {
        const [a, b] = await makePipe();
        const words = new Uint16Array([0x0102, 0x0304, 0x0506]);
        await a.sendBytes(words, 2, 2);
        const expected = new Uint8Array(words.buffer).slice(2, 4);
        expect([...(await b.recvBytes())]).to.deep.equal([...expected]);
        await a.sendBytes(new Uint8Array([9, 8, 7]), 3);
        expect((await b.recvBytes()).byteLength).to.equal(0);
      });

      it('sendBytes copies the bytes at the call', async () => {
        const [a, b] = await makePipe();
        const buf = new Uint8Array([1, 1]);
        await a.sendBytes(buf);
        buf[0] = 9;
        expect([...(await b.recvBytes())]).to.deep.equal([1, 1]);
      });

      it('sendBytes rejects bad offsets and sizes with RangeError, as Python', async () => {
        const [a] = await makePipe();
        const buf = new Uint8Array(4);
        await expectRejection(a.sendBytes(buf, -1), RangeError);
        await expectRejection(a.sendBytes(buf, 5), RangeError);
        await expectRejection(a.sendBytes(buf, 0, -1), RangeError);
        await expectRejection(a.sendBytes(buf, 2, 3), RangeError);
        await expectRejection(a.sendBytes(buf, 1.5), RangeError);
        await expectRejection(a.sendBytes('text' as unknown as Uint8Array), TypeError);
      });

      it('recvBytes after send returns the serialized message; recv after garbage bytes rejects SerializationError', async () => {
        const [a, b] = await makePipe<unknown>();
        await a.send({ k: new Map([[1, 'one']]) });
        const raw = await b.recvBytes();
        expect(raw).to.be.instanceOf(Uint8Array);
        await b.sendBytes(raw); // the bytes of a sent message are a message again
        expect(await a.recv()).to.deep.equal({ k: new Map([[1, 'one']]) });
        await a.sendBytes(new TextEncoder().encode('not a message'));
        await expectRejection(b.recv(), SerializationError);
        await a.send('still fine');
        expect(await b.recv()).to.equal('still fine');
      });

      it('recvBytes(maxlength) rejects MessageTooLong for a longer message, and the end can no longer read', async () => {
        const [a, b] = await makePipe();
        await expectRejection(b.recvBytes(-1), RangeError);
        await a.sendBytes(new Uint8Array(10));
        const error = await expectRejection(b.recvBytes(4), MessageTooLong);
        expect(error.length).to.equal(10);
        expect(error.maxlength).to.equal(4);
        expect(b.readable).to.equal(false);
        await expectRejection(b.recvBytes(), ClosedError);
      });

      it('recvBytesInto writes at a byte offset and resolves with the message size', async () => {
        const [a, b] = await makePipe();
        await a.sendBytes(new Uint8Array([7, 8]));
        const target = new Uint8Array(5);
        expect(await b.recvBytesInto(target, 3)).to.equal(2);
        expect([...target]).to.deep.equal([0, 0, 0, 7, 8]);
      });

      it('recvBytesInto rejects BufferTooShort carrying the whole message, which is consumed', async () => {
        const [a, b] = await makePipe();
        await a.sendBytes(new Uint8Array([1, 2, 3, 4]));
        await a.sendBytes(new Uint8Array([5]));
        const error = await expectRejection(b.recvBytesInto(new Uint8Array(3), 1), BufferTooShort);
        expect([...error.bytes]).to.deep.equal([1, 2, 3, 4]);
        expect([...(await b.recvBytes())]).to.deep.equal([5]);
      });

      it('recvBytesInto checks its offset: negative and past the end are RangeErrors, the end itself is allowed', async () => {
        const [a, b] = await makePipe();
        const target = new Uint8Array(2);
        await expectRejection(b.recvBytesInto(target, -1), RangeError);
        await expectRejection(b.recvBytesInto(target, 3), RangeError);
        await a.sendBytes(new Uint8Array(0));
        expect(await b.recvBytesInto(target, 2)).to.equal(0);
      });
    });

    describe('poll', () => {
      it('answers false at once by default, true when a message waits', async () => {
        const [a, b] = await makePipe<number>();
        expect(await b.poll()).to.equal(false);
        await a.send(1);
        expect(await b.poll(ARRIVES)).to.equal(true);
        expect(await b.poll()).to.equal(true); // polling does not consume
        expect(await b.recv()).to.equal(1);
      });

      it('poll(timeout) waits up to timeout for a message', async () => {
        const [a, b] = await makePipe<number>();
        const started = Date.now();
        expect(await b.poll(SHORT)).to.equal(false);
        expect(Date.now() - started).to.be.at.least(SHORT - 5);
        const ready = b.poll(10_000);
        await a.send(1);
        expect(await ready).to.equal(true);
      });
    });

    describe('directions', () => {
      it('Pipe(false) gives [receiver, sender]; the wrong direction is a TypeError at once', async () => {
        const [reader, writer] = await makePipe<number>({ duplex: false });
        expect(reader.readable).to.equal(true);
        expect(reader.writable).to.equal(false);
        expect(writer.readable).to.equal(false);
        expect(writer.writable).to.equal(true);
        await expectRejection(reader.send(1), TypeError);
        await expectRejection(reader.sendBytes(new Uint8Array(1)), TypeError);
        await expectRejection(writer.recv(), TypeError);
        await expectRejection(writer.recvBytes(), TypeError);
        await expectRejection(writer.poll(), TypeError);
        expect(() => reader.next(1)).to.throw(TypeError);
        await writer.send(7);
        expect(await reader.recv()).to.equal(7);
      });
    });

    describe('close and end of stream', () => {
      it('recv drains what the peer sent, then rejects EOFError once the peer closed; poll says ready', async () => {
        const [a, b] = await makePipe<number>();
        await a.send(1);
        await a.close();
        expect(await b.poll(ARRIVES)).to.equal(true);
        expect(await b.recv()).to.equal(1);
        expect(await b.poll(ARRIVES)).to.equal(true);
        await expectRejection(b.recv(), EOFError);
      });

      it('a recv waiting when the peer closes rejects EOFError', async () => {
        const [a, b] = await makePipe<number>();
        const waiting = b.recv();
        await a.close();
        await expectRejection(waiting, EOFError);
      });

      it('sending to a closed peer rejects ClosedError (broken pipe), on duplex and one-way pipes', async () => {
        const [a, b] = await makePipe<number>();
        await a.send(0);
        await b.recv(); // connected
        await b.close();
        await expectRejection(a.send(1), ClosedError);
        const [reader, writer] = await makePipe<number>({ duplex: false });
        await writer.send(0);
        await reader.recv();
        await reader.close();
        await expectRejection(writer.send(1), ClosedError);
      });

      it('a closed end rejects every call with ClosedError; close is idempotent', async () => {
        const [a] = await makePipe<number>();
        await a.close();
        await a.close();
        expect(a.closed).to.equal(true);
        expect(a.readable).to.equal(false);
        expect(a.writable).to.equal(false);
        await expectRejection(a.send(1), ClosedError);
        await expectRejection(a.recv(), ClosedError);
        await expectRejection(a.poll(), ClosedError);
        await expectRejection(a.sendBytes(new Uint8Array(1)), ClosedError);
        await expectRejection(a.recvBytes(), ClosedError);
        expect(() => a.next(1)).to.throw(ClosedError);
      });

      it('close() rejects this end’s waiting recv with ClosedError', async () => {
        const [, b] = await makePipe<number>();
        const waiting = expectRejection(b.recv(), ClosedError);
        await b.close();
        await waiting;
      });

      it('close() still delivers messages queued by next() behind a full window, then EOF', async () => {
        const [a, b] = await makePipe<Uint8Array>({ window: 100 });
        for (let i = 0; i < 5; i++) a.next(new Uint8Array(80).fill(i));
        const closing = a.close();
        const got: number[] = [];
        for (let i = 0; i < 5; i++) got.push((await b.recv())[0] as number);
        await closing;
        expect(got).to.deep.equal([0, 1, 2, 3, 4]);
        await expectRejection(b.recv(), EOFError);
      });
    });

    describe('Rx face', () => {
      it('subscribing to a source sends each value; complete() half-closes so the peer’s stream completes', async () => {
        const [a, b] = await makePipe<number>();
        from([1, 2, 3]).subscribe(a);
        expect(await lastValueFrom(b.asObservable().pipe(toArray()))).to.deep.equal([1, 2, 3]);
        expect(a.writable).to.equal(false);
        await b.send(42); // a may still receive after its half-close
        expect(await a.recv()).to.equal(42);
      });

      it('error(e) errors the peer’s stream with an error carrying e’s name, message and stack', async () => {
        const [a, b] = await makePipe<number>();
        a.next(1);
        a.error(new RangeError('bad input'));
        const seen: number[] = [];
        const error = await new Promise<Error>((resolve) => b.subscribe({ next: (v) => seen.push(v), error: resolve }));
        expect(seen).to.deep.equal([1]);
        expect(error).to.be.instanceOf(RangeError);
        expect(error.name).to.equal('RangeError');
        expect(error.message).to.equal('bad input');
        expect(error.stack).to.contain('bad input');
        await expectRejection(b.recv(), RangeError);
      });

      it('is an async iterable that ends at EOF', async () => {
        const [a, b] = await makePipe<string>();
        await a.send('x');
        await a.send('y');
        await a.close();
        const seen: string[] = [];
        for await (const v of b) seen.push(v);
        expect(seen).to.deep.equal(['x', 'y']);
      });

      it('from(connection) reads it as an Observable (interop)', async () => {
        const [a, b] = await makePipe<number>();
        await a.send(1);
        a.complete();
        expect(await lastValueFrom(from(b).pipe(toArray()))).to.deep.equal([1]);
      });

      it('next() after the end of its stream throws ClosedError', async () => {
        const [a] = await makePipe<number>();
        a.complete();
        expect(() => a.next(1)).to.throw(ClosedError);
      });

      it('a next() that the closing peer never accepted errors this end’s own stream, once, and no later call throws it', async () => {
        const [a, b] = await makePipe<Uint8Array>({ window: 10 });
        await a.send(new Uint8Array(1));
        await b.recv(); // connected
        const ended = new Promise<unknown>((resolve) => a.subscribe({ error: resolve, complete: () => resolve('complete') }));
        a.next(new Uint8Array(10));
        a.next(new Uint8Array(10)); // waits for window
        await b.close(); // fails the waiting send
        expect(await ended).to.be.instanceOf(ClosedError);
        expect(() => a.next(new Uint8Array(1))).to.not.throw();
        expect(() => a.complete()).to.not.throw();
        await a.close();
      });
    });
  });
}
