/**
 * Items/s through one queue on a Redis server, `producers` and `consumers`
 * forked processes, each with its own connection(s): rxmp's RedisQueue
 * (`rxmp`, maxsize 1000 unless `RXMP_BENCH_MAXSIZE` says otherwise; `rxmp-chunks`:
 * puts 100 at a time with `Promise.all`, as BullMQ's `addBulk` chunks), its
 * RedisJoinableQueue with `consume` (`rxmp-joinable`), BullMQ (`bullmq`:
 * `addBulk` in chunks + a `Worker`) and a bare node-redis loop (`bare`:
 * `await rPush` / `await blPop`, the floor). The server's url comes in
 * `REDIS_URL` (`npm run bench` starts a throwaway one).
 *
 * Every process connects and says it is ready before "go"; timing runs from
 * "go" until the consumers' counts (reported every 20 ms and at the end)
 * add up to `n`, so setup and teardown are excluded the same way for every
 * system.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node dist/bench/measure/redis-throughput.js rxmp|rxmp-chunks|rxmp-joinable|bullmq|bare producers consumers n
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { argInt, report } from './report.js';

export type System = 'rxmp' | 'rxmp-chunks' | 'rxmp-joinable' | 'bullmq' | 'bare';
const WORKERS: Record<System, string> = {
  rxmp: 'redis-rxmp.js',
  'rxmp-chunks': 'redis-rxmp.js',
  'rxmp-joinable': 'redis-rxmp.js',
  bullmq: 'redis-bullmq.js',
  bare: 'redis-bare.js',
};

const system = process.argv[2] as System;
if (!(system in WORKERS)) throw new TypeError(`system must be one of ${Object.keys(WORKERS).join(', ')}; got ${JSON.stringify(system)}`);
const producers = argInt(3, 1);
const consumers = argInt(4, 1);
const n = argInt(5, 20_000);
const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set (npm run bench starts a throwaway server and sets it)');
const maxsize = Number(process.env.RXMP_BENCH_MAXSIZE ?? 1000);
const name = `bench-${system}-${randomUUID()}`;
const worker = fileURLToPath(new URL(`../workers/${WORKERS[system]}`, import.meta.url));

/** What a worker is told: its role, the queue, its share of the items. */
export interface WorkerArgs {
  role: 'producer' | 'consumer';
  system: System;
  name: string;
  url: string;
  maxsize: number;
  /** A producer's items: `from` .. `from + count - 1`. */
  from: number;
  count: number;
}
/** Worker → parent: `ready` once connected, `count` (consumers: items taken so far), `done` (producers). */
export type WorkerMessage = { ready: true } | { count: number } | { done: true };

const children: ChildProcess[] = [];
const counts: number[] = [];
let ready = 0;
let finished: () => void;
const allTaken = new Promise<void>((resolve) => {
  finished = resolve;
});
let allReady: () => void;
const readyPromise = new Promise<void>((resolve) => {
  allReady = resolve;
});

function start(args: WorkerArgs, consumerIndex: number): void {
  const child = fork(worker, [JSON.stringify(args)], { stdio: 'inherit' });
  children.push(child);
  child.on('message', (message: WorkerMessage) => {
    if ('ready' in message && ++ready === producers + consumers) allReady();
    if ('count' in message) {
      counts[consumerIndex] = message.count;
      if (counts.reduce((a, b) => a + b, 0) >= n) finished();
    }
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && !stopping) {
      console.error(`a ${args.role} exited with ${code ?? signal}`);
      process.exit(1);
    }
  });
}

let stopping = false;
const share = Math.floor(n / producers);
for (let p = 0; p < producers; p++) {
  const count = p === 0 ? n - share * (producers - 1) : share;
  const from = p === 0 ? 0 : n - share * (producers - p);
  start({ role: 'producer', system, name, url, maxsize, from, count }, -1);
}
for (let c = 0; c < consumers; c++) {
  counts.push(0);
  start({ role: 'consumer', system, name, url, maxsize, from: 0, count: 0 }, c);
}
await readyPromise;
const t0 = performance.now();
for (const child of children) child.send('go');
await allTaken;
const seconds = (performance.now() - t0) / 1000;
stopping = true;
const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
for (const child of children) child.send('stop');
const timer = setTimeout(() => {
  for (const child of children) child.kill('SIGKILL');
}, 10_000);
await Promise.all(exits);
clearTimeout(timer);
const taken = counts.reduce((a, b) => a + b, 0);
if (taken !== n) throw new Error(`${system}: ${taken} items taken, ${n} put`);
report({
  value: n / seconds,
  unit: 'items/s',
  detail: { system, producers, consumers, maxsize: system.startsWith('rxmp') ? maxsize : null },
});
