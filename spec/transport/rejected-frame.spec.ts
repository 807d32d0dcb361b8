/** Nothing after a rejected message changes state: the rest of its frame is dropped with the connection. */
import { expect } from 'chai';
import net from 'node:net';
import { Queue } from '../../src/index.js';
import { exportValue } from '../../src/process/handle-passing.js';
import type { QueueDescriptor } from '../../src/queue-kind.js';
import { Runtime } from '../../src/transport/runtime.js';
import { encodeBatch, decodeBatch } from '../../src/wire/batch.js';
import { frame, FrameDecoder } from '../../src/wire/framing.js';
import { digest, GREETING_BYTES, nonce, readGreeting } from '../../src/wire/handshake.js';
import type { Message } from '../../src/wire/protocol/index.js';
import { settles } from '../support/async.js';

/** A raw client past the handshake: it writes any frame, and reads the broker's messages as they come. */
interface RawClient {
  socket: net.Socket;
  /** Resolves with the first message received (from now on or before) that `matches`. */
  next(matches: (m: Message) => boolean): Promise<Message>;
  closed: Promise<void>;
}

function connect(path: string, authkey: Uint8Array): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    const received: Message[] = [];
    const waiters: { matches: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
    const decoder = new FrameDecoder();
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'status' | 'frames' = 'greeting';
    const deliver = (m: Message) => {
      received.push(m);
      for (const w of waiters.splice(0)) {
        if (w.matches(m)) w.resolve(m);
        else waiters.push(w);
      }
    };
    const client: RawClient = {
      socket,
      closed,
      next: (matches) =>
        new Promise((done) => {
          const known = received.find(matches);
          if (known) done(known);
          else waiters.push({ matches, resolve: done });
        }),
    };
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      if (stage === 'frames') {
        for (const payload of decoder.push(chunk)) for (const m of decodeBatch(payload)) deliver(m);
        return;
      }
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === 'greeting' && buffered.byteLength >= GREETING_BYTES) {
        const challenge = readGreeting(buffered.subarray(0, GREETING_BYTES)) as Buffer;
        buffered = buffered.subarray(GREETING_BYTES);
        socket.write(Buffer.concat([digest(authkey, challenge), nonce()]));
        stage = 'status';
      }
      if (stage === 'status' && buffered.byteLength >= 33) {
        if (buffered[0] !== 1) return reject(new Error('refused'));
        stage = 'frames';
        const rest = buffered.subarray(33);
        resolve(client);
        if (rest.byteLength > 0) for (const payload of decoder.push(rest)) for (const m of decodeBatch(payload)) deliver(m);
      }
    });
  });
}

const frameOf = (...messages: unknown[]) => frame(encodeBatch(messages as Message[]));

/** Runs `body` with rxmp's warnings (the dropped connection is reported as one) kept off the console. */
async function quietly(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (w: Error & { code?: string }) => {
    if (w.name === 'RxmpWarning') seen.push(String(w.code));
  };
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('a frame with a rejected message in it', function () {
  this.timeout(30_000);
  let path: string;

  before(async () => {
    path = (await Runtime.get().hub.address()).path as string;
  });

  it('a valid put after a malformed message in the same frame is not applied', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const d = (await exportValue(q, Runtime.get())).handles[0]?.descriptor as QueueDescriptor;
    const warnings = await quietly(async () => {
      const client = await connect(path, Runtime.get().hub.authkey);
      client.socket.write(frameOf({ t: 'hello', id: 'intruder' }, { t: 'attach', q: d.id, pin: d.pin }, { t: 'want', q: d.id, n: 1 }));
      await settles(client.next((m) => m.t === 'credit' && m.n === 1));
      client.socket.write(frameOf({ t: 'bogus' }, { t: 'put', q: d.id, items: [42] }));
      await settles(client.closed);
    });
    expect(warnings).to.include('ProtocolError');
    expect(await q.qsize(), 'the put after the bad message').to.equal(0);
    await q.put(1);
    expect(await q.get()).to.equal(1);
  });

  it('a valid end() after a message with a bad field in the same frame does not end the queue', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const d = (await exportValue(q, Runtime.get())).handles[0]?.descriptor as QueueDescriptor;
    await quietly(async () => {
      const client = await connect(path, Runtime.get().hub.authkey);
      client.socket.write(frameOf({ t: 'refund', q: d.id, n: -1 }, { t: 'call', q: d.id, rid: 1, op: 'end' }));
      await settles(client.closed);
    });
    await q.put(7); // would reject ClosedError had the end been applied
    expect(await q.get()).to.equal(7);
  });
});
