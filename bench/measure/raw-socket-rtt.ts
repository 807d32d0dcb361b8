/**
 * Baseline (the floor of a round trip in Node): one byte to a forked child
 * over a bare Unix domain socket and back, with no framing or encoding at
 * all; 1,000 warm-up round trips, then `n` timed ones; the mean, in µs.
 *
 *   node dist/bench/measure/raw-socket-rtt.js n
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argInt, report } from './report.js';

const n = argInt(2, 10_000);
const dir = mkdtempSync(join(tmpdir(), 'rxmp-rtt-'));
const path = join(dir, 's');
const warmup = Math.min(1000, n);
const us = await new Promise<number>((resolve) => {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let round = 0;
    let t0 = 0;
    socket.on('data', () => {
      round++;
      if (round === warmup) t0 = performance.now();
      if (round === warmup + n) {
        resolve(((performance.now() - t0) * 1000) / n);
        socket.destroy();
        server.close();
        return;
      }
      socket.write('x');
    });
    socket.write('x');
  });
  server.listen(path, () => {
    const child = fork(new URL('../workers/raw-echo.js', import.meta.url), [path]);
    server.on('close', () => child.kill());
  });
});
rmSync(dir, { recursive: true, force: true });
report({ value: us, unit: 'µs' });
