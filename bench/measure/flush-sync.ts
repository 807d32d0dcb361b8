/**
 * What `Link.flushSync()` costs per call on a Unix socket, with one small
 * message pending (an ack: what a consumer makes durable before handing an
 * item on), both ends in this process. Only the calls are timed; the reader
 * is given a turn every 100 calls so the kernel buffer never fills.
 *
 *   node dist/bench/measure/flush-sync.js n
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketLink } from '../../src/transport/link/socket-link.js';
import { argInt, report } from './report.js';

const n = argInt(2, 100_000);
const authkey = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'rxmp-bench-'));
const path = join(dir, 's');
let received = 0;
const accepted = new Promise<SocketLink>((resolve) => {
  const server = net.createServer((socket) => {
    const link = SocketLink.accept(socket, authkey);
    link.onMessage((m) => {
      if (m.t === 'ack') received += m.n;
    });
    server.close();
    resolve(link);
  });
  server.listen(path);
});
const client = SocketLink.connect(path, authkey);
const server = await accepted;
client.send({ t: 'ack', q: 'warm-up', tag: 1, n: 0 });
while (!client.flushSync()) await new Promise((r) => setTimeout(r, 1));

const turn = () => new Promise((r) => setImmediate(r));
let busy = 0;
let notOut = 0;
for (let i = 0; i < n; i += 100) {
  const t0 = performance.now();
  for (let j = 0; j < 100; j++) {
    client.send({ t: 'ack', q: 'q', tag: 1, n: 1 });
    if (!client.flushSync()) notOut++;
  }
  busy += performance.now() - t0;
  await turn();
}
let idle = performance.now();
for (let i = 0; i < n; i++) client.flushSync();
idle = performance.now() - idle;
while (received < n) await turn();
client.fail(new Error('done'));
server.fail(new Error('done'));
rmSync(dir, { recursive: true, force: true });
report({ value: (busy * 1000) / n, unit: 'µs', detail: { nothingPendingUs: (idle * 1000) / n, returnedFalse: notOut } });
