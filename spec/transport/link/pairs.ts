/** Two connected links of each kind, both ends in this process, for specs of the Link contract. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { Link } from '../../../src/transport/link/link.js';
import { MemoryLink } from '../../../src/transport/link/memory-link.js';
import { PortLink } from '../../../src/transport/link/port-link.js';
import { SocketLink, type SocketLinkOptions } from '../../../src/transport/link/socket-link.js';
import type { Message } from '../../../src/wire/protocol/index.js';
import { until } from '../../support/async.js';

export interface LinkPair {
  /** The end a spec sends on. */
  readonly a: Link;
  /** The end that receives; `got` collects what it delivers. */
  readonly b: Link;
  readonly got: Message[];
  /** Closes both ends and whatever they stand on. */
  dispose(): Promise<void>;
}

export type PairKind = 'socket' | 'port' | 'memory';

export async function linkPair(kind: PairKind, options: SocketLinkOptions = {}): Promise<LinkPair> {
  const made = kind === 'socket' ? await socketPair(options) : kind === 'port' ? portPair() : memoryPair();
  const got: Message[] = [];
  made.b.onMessage((m) => got.push(m));
  // Once a first message has come through, the link is connected (a socket's handshake is over).
  made.a.send({ t: 'hello', id: 'a' });
  await until(() => got.length > 0);
  got.length = 0;
  return { ...made, got };
}

async function socketPair(options: SocketLinkOptions): Promise<Omit<LinkPair, 'got'>> {
  const authkey = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-'));
  const path = join(dir, 's');
  let server!: net.Server;
  const accepted = new Promise<Link>((resolve) => {
    server = net.createServer((socket) => resolve(SocketLink.accept(socket, authkey, options)));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const a = SocketLink.connect(path, authkey, options);
  const b = await accepted;
  return {
    a,
    b,
    async dispose() {
      a.fail(new Error('spec over'));
      b.fail(new Error('spec over'));
      await Promise.all([a.whenClosed(), b.whenClosed()]);
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function portPair(): Omit<LinkPair, 'got'> {
  const { port1, port2 } = new MessageChannel();
  const a = new PortLink(port1);
  const b = new PortLink(port2);
  return {
    a,
    b,
    async dispose() {
      port1.close();
      port2.close();
      await Promise.all([a.whenClosed(), b.whenClosed()]);
    },
  };
}

function memoryPair(): Omit<LinkPair, 'got'> {
  const [a, b] = MemoryLink.pair();
  return {
    a,
    b,
    async dispose() {
      a.fail(new Error('spec over'));
      await Promise.all([a.whenClosed(), b.whenClosed()]);
    },
  };
}

/** The items of every `put`/`items` message in `messages`, in order. */
export function itemsOf(messages: readonly Message[]): unknown[] {
  return messages.flatMap((m) => (m.t === 'put' || m.t === 'items' ? m.items : []));
}
