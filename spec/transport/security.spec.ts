/** The listener only talks to its process tree, and a hostile or broken client loses only its own connection. */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { firstValueFrom } from 'rxjs';
import { Queue } from '../../src/index.js';
import { exportValue } from '../../src/process/handle-passing.js';
import { Runtime } from '../../src/transport/runtime.js';
import { SocketLink } from '../../src/transport/link/socket-link.js';
import { encodeBatch } from '../../src/wire/batch.js';
import { frame } from '../../src/wire/framing.js';
import { ANSWER_BYTES, digest, GREETING_BYTES, nonce, readGreeting } from '../../src/wire/handshake.js';
import { AuthenticationError, ProtocolError } from '../../src/errors.js';
import { settles } from '../support/async.js';
import { warningsDuring as collectWarnings } from '../support/warnings.js';
import { startChild } from '../support/children.js';

/** A bare socket that passes the handshake with `authkey`, then lets the test write anything. */
function authenticated(path: string, authkey: Uint8Array): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'status' = 'greeting';
    let mine: Buffer;
    socket.on('error', reject);
    socket.on('data', function onData(chunk: Buffer) {
      buffered = Buffer.concat([buffered, chunk]);
      if (stage === 'greeting' && buffered.byteLength >= GREETING_BYTES) {
        const challenge = readGreeting(buffered.subarray(0, GREETING_BYTES)) as Buffer;
        buffered = buffered.subarray(GREETING_BYTES);
        mine = nonce();
        socket.write(Buffer.concat([digest(authkey, challenge), mine]));
        stage = 'status';
      }
      if (stage === 'status' && buffered.byteLength >= 33) {
        socket.off('data', onData);
        if (buffered[0] !== 1) reject(new Error('refused'));
        else resolve(socket);
      }
    });
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.on('close', () => resolve());
    socket.resume();
  });
}

/** The warnings rxmp emits while `body` runs, as "code: message". */
async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  return (await collectWarnings(body)).map((w) => `${w.code}: ${w.message}`);
}

describe('broker security', function () {
  this.timeout(30_000);
  let path: string;

  before(async () => {
    path = (await Runtime.get().hub.address()).path as string;
  });

  /** A queue shared with a real child, proving the broker still serves everyone else. */
  async function brokerStillServes(): Promise<void> {
    const q = new Queue<number>();
    const child = startChild('produce', { args: [q, 20] });
    expect(await child.join()).to.equal(0);
    expect(await q.qsize()).to.equal(20);
  }

  it('listens in a fresh private directory (mode 0700) that is removed when the process exits', async () => {
    const child = startChild('listener-dir');
    const report = (await firstValueFrom(child.output$)) as { dir: string; mode: number; socket: boolean };
    expect(report.mode).to.equal(0o700);
    expect(report.socket).to.equal(true);
    expect(await child.join()).to.equal(0);
    expect(existsSync(report.dir)).to.equal(false);
  });

  it('a child killed with SIGKILL cannot clean up, so its parent removes its listener directory', async () => {
    const child = startChild('listener-dir', { export: 'andWait' });
    const report = (await firstValueFrom(child.output$)) as { dir: string };
    expect(existsSync(report.dir)).to.equal(true);
    child.kill();
    await child.join();
    expect(existsSync(report.dir)).to.equal(false);
  });

  it('refuses a client with the wrong authkey: it gets AuthenticationError, the broker goes on', async () => {
    const warnings = await warningsDuring(async () => {
      const intruder = SocketLink.connect(path, Buffer.alloc(32, 7));
      const reason = await new Promise<Error | undefined>((resolve) => intruder.onClose((_, r) => resolve(r)));
      expect(reason).to.be.instanceOf(AuthenticationError);
    });
    expect(warnings.some((w) => w.startsWith('AuthenticationError'))).to.equal(true);
    await brokerStillServes();
  });

  const message = (m: unknown) => frame(encodeBatch([m as never]));
  const hostile: [string, (socket: net.Socket, q: string) => void][] = [
    ['random bytes as a frame', (s) => s.write(frame(Buffer.from('this is not a batch of messages')))],
    ['a header announcing an oversize frame', (s) => s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))],
    ['a message of an unknown type', (s) => s.write(message({ t: 'bogus' }))],
    ['a put without credit into a bounded queue', (s, q) => s.write(message({ t: 'put', q, items: [new Uint8Array([1])] }))],
    ['a fetch of Infinity items', (s, q) => s.write(message({ t: 'fetch', q, n: Infinity }))],
    ['a fetch of a billion items', (s, q) => s.write(message({ t: 'fetch', q, n: 1e9 }))],
    ['a negative refund', (s, q) => s.write(message({ t: 'refund', q, n: -5 }))],
    ['a fractional credit request', (s, q) => s.write(message({ t: 'want', q, n: 1.5 }))],
    ['a giveback whose tags are not a list', (s, q) => s.write(message({ t: 'giveback', q, tags: 'all' }))],
    ['a message without its queue id', (s) => s.write(message({ t: 'ack', n: 1 }))],
    ['a pipe message for an end that is neither 0 nor 1', (s) => s.write(message({ t: 'pclosed', p: 'x', e: 7 }))],
  ];
  for (const [what, send] of hostile) {
    it(`drops a client that sends ${what}; the broker goes on`, async () => {
      const q = new Queue<number>({ maxsize: 2 });
      const d = (await exportValue(q, Runtime.get())).handles[0]?.descriptor as { id: string };
      const warnings = await warningsDuring(async () => {
        const socket = await authenticated(path, Runtime.get().hub.authkey);
        send(socket, d.id);
        await settles(closed(socket));
      });
      expect(warnings.some((w) => w.startsWith('ProtocolError'))).to.equal(true);
      expect(await q.qsize()).to.equal(0);
      await brokerStillServes();
    });
  }

  it('a truncated frame followed by a hang-up costs nothing', async () => {
    const socket = await authenticated(path, Runtime.get().hub.authkey);
    socket.end(Buffer.from([0, 0, 0, 100, 1, 2, 3]));
    await settles(closed(socket));
    await brokerStillServes();
  });

  it('drops a client that sends bytes before the handshake is over', async () => {
    const socket = net.connect(path);
    socket.write(Buffer.alloc(ANSWER_BYTES + 10, 1));
    await settles(closed(socket));
    await brokerStillServes();
  });

  it('ProtocolError and AuthenticationError are distinct, named errors', () => {
    expect(new ProtocolError('x').name).to.equal('ProtocolError');
    expect(new AuthenticationError().name).to.equal('AuthenticationError');
  });
});
