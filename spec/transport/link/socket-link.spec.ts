/** A socket link over a real Unix socket, both ends in this process. */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Link } from '../../../src/transport/link/link.js';
import { SocketLink } from '../../../src/transport/link/socket-link.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { AuthenticationError, ProtocolError } from '../../../src/errors.js';
import { settles } from '../../support/async.js';
import { greeting, nonce } from '../../../src/wire/handshake.js';

describe('SocketLink', () => {
  const authkey = randomBytes(32);
  let dir: string;
  let server: net.Server;
  let accepted: Promise<Link>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-'));
    const path = join(dir, 's');
    accepted = new Promise((resolve) => {
      server = net.createServer((socket) => resolve(SocketLink.accept(socket, authkey)));
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
  });

  afterEach(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('close() hangs up gracefully: whenClosed() resolves once the peer has read everything and hung up too', async () => {
    const client = SocketLink.connect(join(dir, 's'), authkey);
    const serving = await accepted;
    const got: number[] = [];
    let closedAfter = -1;
    serving.onMessage((m) => got.push(...((m as Extract<Message, { t: 'put' }>).items as number[])));
    serving.onClose(() => {
      closedAfter = got.length;
    });
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      client.sendItem('put', 'q', i);
      if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r)); // many frames, not one
    }
    await client.close();
    await client.whenClosed();
    expect(closedAfter, 'the peer hung up after reading every message').to.equal(n);
    expect(got).to.deep.equal([...Array(n).keys()]);
    expect(serving.closed).to.equal(true);
  });

  it('whenClosed() resolves at once for a link already closed', async () => {
    const client = SocketLink.connect(join(dir, 's'), authkey);
    await accepted;
    client.fail(new Error('cut'));
    await client.whenClosed();
    await client.whenClosed();
  });

  it('a client gives up on a listener that accepts and never greets: the link closes with AuthenticationError', async () => {
    const silentPath = join(dir, 'silent');
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, says nothing
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
    try {
      const client = SocketLink.connect(silentPath, authkey, { handshakeTimeoutMs: 200 });
      const reason = await settles(new Promise<Error | undefined>((resolve) => client.onClose((_, why) => resolve(why))));
      expect(reason).to.be.instanceOf(AuthenticationError);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('a client gives up on a listener that greets and then never answers', async () => {
    const mutePath = join(dir, 'mute');
    const sockets: net.Socket[] = [];
    const mute = net.createServer((socket) => {
      sockets.push(socket);
      socket.write(greeting(nonce())); // a well-formed greeting, then never a verdict
    });
    await new Promise<void>((resolve) => mute.listen(mutePath, resolve));
    try {
      const client = SocketLink.connect(mutePath, authkey, { handshakeTimeoutMs: 200 });
      const reason = await settles(new Promise<Error | undefined>((resolve) => client.onClose((_, why) => resolve(why))));
      expect(reason).to.satisfy((r: unknown) => r instanceof AuthenticationError || r instanceof ProtocolError);
    } finally {
      for (const socket of sockets) socket.destroy();
      mute.close();
    }
  });
});
