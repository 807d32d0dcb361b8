/** The rows of `npm run bench`: what rxmp runs, against what, and the target. */

export interface Program {
  runtime: 'node' | 'python';
  /** Under dist/bench/measure (node) or bench/python (python). */
  file: string;
  /** Arguments before the item count. */
  args: string[];
  /** Environment variables set for it (over this process's own). */
  env?: Record<string, string>;
  /** Needs a Redis server: the run starts one throwaway server for all such programs and passes its url in `REDIS_URL`. */
  redis?: true;
}

export type Target =
  | { kind: 'at-least'; value: number } // rxmp / baseline ≥ value (throughput)
  | { kind: 'at-most'; value: number } // rxmp / baseline ≤ value (latency)
  | { kind: 'at-most-absolute'; value: number } // rxmp < value (MB)
  | { kind: 'info'; value: number };

export interface Scenario {
  key: string;
  title: string;
  n: number;
  quickN: number;
  rxmp: Program;
  baseline?: { name: string; program: Program; n?: (quick: boolean) => number };
  target: Target;
}

const node = (file: string, ...args: string[]): Program => ({ runtime: 'node', file, args });
/** The same program with every link kept on its socket or port (no shared-memory rings: the fallback). */
const onSocket = (program: Program): Program => ({ ...program, env: { RXMP_RINGS: 'off' } });
/** A Redis row's program: `system` with `producers` / `consumers` forked processes on the bench's own server. */
const onRedis = (system: string, producers: number, consumers: number): Program => ({
  ...node('redis-throughput.js', system, String(producers), String(consumers)),
  redis: true,
});
const python = (scenario: string, file = 'mp_baselines.py'): Program => ({ runtime: 'python', file, args: [scenario] });

/**
 * The chunked Pool rows: tasks per queue item, and the in-flight bound (16
 * chunks, 8 per worker). Python's own `map` would chunk 100k tasks on 2
 * workers by 12500 (len / (4 × processes)); the like-for-like row runs
 * Python at this same chunksize.
 */
const POOL_CHUNK = 1024;
const POOL_CHUNK_MAXSIZE = 16 * POOL_CHUNK;
/** A Pool measurement with the chunked rows' in-flight bound. */
const pooled = (program: Program): Program => ({ ...program, env: { RXMP_BENCH_POOL_MAXSIZE: String(POOL_CHUNK_MAXSIZE) } });

/** Both Lock rows' baseline, one measurement shared by them (the same program and n). */
const PYTHON_LOCK: Scenario['baseline'] = {
  name: 'Python mp.Lock() acquire() + release()',
  program: python('lock', 'mp_shared.py'),
  n: (q) => (q ? 200_000 : 5_000_000),
};

export const SCENARIOS: Scenario[] = [
  {
    key: 'queue-fork-ints',
    title: 'fork child → parent Queue, maxsize 100, ints',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-throughput.js', 'fork', 'ints'),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-ints'), n: (q) => (q ? 20_000 : 300_000) },
    target: { kind: 'at-least', value: 15 },
  },
  {
    key: 'queue-fork-ints-socket',
    title: 'same, links on the socket (RXMP_RINGS=off)',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: onSocket(node('queue-throughput.js', 'fork', 'ints')),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-ints'), n: (q) => (q ? 20_000 : 300_000) },
    target: { kind: 'at-least', value: 10 },
  },
  {
    key: 'queue-fork-objects',
    title: 'same, 10-field objects',
    n: 300_000,
    quickN: 10_000,
    rxmp: node('queue-throughput.js', 'fork', 'objects'),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-objects'), n: (q) => (q ? 10_000 : 200_000) },
    target: { kind: 'at-least', value: 8 },
  },
  {
    key: 'queue-fork-objects-socket',
    title: 'same, links on the socket (RXMP_RINGS=off)',
    n: 300_000,
    quickN: 10_000,
    rxmp: onSocket(node('queue-throughput.js', 'fork', 'objects')),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-objects'), n: (q) => (q ? 10_000 : 200_000) },
    target: { kind: 'at-least', value: 3 },
  },
  {
    key: 'queue-thread-ints',
    title: 'worker thread → main Queue, maxsize 100, ints',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-throughput.js', 'thread', 'ints'),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-ints'), n: (q) => (q ? 20_000 : 300_000) },
    target: { kind: 'at-least', value: 20 },
  },
  {
    key: 'queue-thread-ints-port',
    title: 'same, thread links on the port (RXMP_RINGS=off)',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: onSocket(node('queue-throughput.js', 'thread', 'ints')),
    baseline: { name: 'Python mp.Queue(maxsize=100)', program: python('queue-ints'), n: (q) => (q ? 20_000 : 300_000) },
    target: { kind: 'at-least', value: 20 },
  },
  {
    key: 'queue-thread-after-large',
    title: 'worker thread → main Queue, maxsize 100, ints after one 4 MiB item',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-after-large.js', 'thread', String(4 * 1024 * 1024)),
    baseline: { name: 'same without the large item', program: node('queue-after-large.js', 'thread', '0') },
    target: { kind: 'at-least', value: 0.8 },
  },
  {
    key: 'queue-fork-after-large',
    title: 'fork child → parent Queue, maxsize 100, ints after one 4 MiB item',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-after-large.js', 'fork', String(4 * 1024 * 1024)),
    baseline: { name: 'same without the large item', program: node('queue-after-large.js', 'fork', '0') },
    target: { kind: 'at-least', value: 0.8 },
  },
  {
    key: 'flush-sync',
    title: 'Link.flushSync() on a Unix socket, one small message pending: cost per call',
    n: 100_000,
    quickN: 5_000,
    rxmp: node('flush-sync.js'),
    target: { kind: 'info', value: 0 },
  },
  {
    key: 'pipe-oneway',
    title: 'fork ↔ fork Pipe one-way throughput, ints',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('pipe-oneway.js'),
    baseline: { name: 'Python mp.Pipe', program: python('pipe-oneway'), n: (q) => (q ? 20_000 : 500_000) },
    target: { kind: 'at-least', value: 15 },
  },
  {
    key: 'pipe-oneway-socket',
    title: 'same, links on the socket (RXMP_RINGS=off)',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: onSocket(node('pipe-oneway.js')),
    baseline: { name: 'Python mp.Pipe', program: python('pipe-oneway'), n: (q) => (q ? 20_000 : 500_000) },
    target: { kind: 'at-least', value: 5 },
  },
  {
    key: 'pipe-pingpong',
    title: 'Pipe ping-pong round trip, fork',
    n: 20_000,
    quickN: 1_000,
    rxmp: node('pipe-pingpong.js'),
    baseline: { name: 'Python mp.Pipe round trip', program: python('pipe-pingpong') },
    target: { kind: 'at-most', value: 0.6 },
  },
  {
    key: 'pipe-pingpong-socket',
    title: 'same, links on the socket (RXMP_RINGS=off)',
    n: 20_000,
    quickN: 1_000,
    rxmp: onSocket(node('pipe-pingpong.js')),
    baseline: { name: 'Python mp.Pipe round trip', program: python('pipe-pingpong') },
    target: { kind: 'at-most', value: 1 },
  },
  {
    key: 'pingpong-vs-raw',
    title: 'rxmp Pipe round trip vs a bare Unix-socket round trip between two Node processes (the floor, for reference)',
    n: 20_000,
    quickN: 1_000,
    rxmp: node('pipe-pingpong.js'),
    baseline: { name: 'bare socket, 1 byte', program: node('raw-socket-rtt.js') },
    target: { kind: 'info', value: 0 },
  },
  {
    key: 'joinable-2',
    title: 'parent → 2 forked consumers, JoinableQueue(maxsize 100) + taskDone',
    n: 300_000,
    quickN: 10_000,
    rxmp: node('joinable.js'),
    baseline: { name: 'Python JoinableQueue, 2 consumers', program: python('joinable-2'), n: (q) => (q ? 10_000 : 200_000) },
    target: { kind: 'at-least', value: 5 },
  },
  {
    key: 'joinable-2-socket',
    title: 'same, links on the socket (RXMP_RINGS=off)',
    n: 300_000,
    quickN: 10_000,
    rxmp: onSocket(node('joinable.js')),
    baseline: { name: 'Python JoinableQueue, 2 consumers', program: python('joinable-2'), n: (q) => (q ? 10_000 : 200_000) },
    target: { kind: 'at-least', value: 5 },
  },
  {
    key: 'task-pool',
    title: '100k trivial tasks over 2 workers with consume, results back',
    n: 100_000,
    quickN: 5_000,
    rxmp: node('task-pool.js'),
    baseline: { name: 'piscina, 2 threads', program: node('piscina-pool.js') },
    target: { kind: 'at-least', value: 15 },
  },
  {
    key: 'task-pool-port',
    title: 'same, thread links on the port (RXMP_RINGS=off)',
    n: 100_000,
    quickN: 5_000,
    rxmp: onSocket(node('task-pool.js')),
    baseline: { name: 'piscina, 2 threads', program: node('piscina-pool.js') },
    target: { kind: 'at-least', value: 15 },
  },
  {
    key: 'pool-imap-unordered',
    title: '100k trivial tasks through Pool.imapUnordered, 2 workers (threads), chunksize 1',
    n: 100_000,
    quickN: 5_000,
    rxmp: node('pool-imap-unordered.js', 'thread', '1'),
    baseline: { name: 'piscina, 2 threads', program: node('piscina-pool.js') },
    target: { kind: 'at-least', value: 10 },
  },
  {
    key: 'pool-imap-unordered-python',
    title: '100k trivial tasks through Pool.imapUnordered, 2 workers (forked), chunksize 1',
    n: 100_000,
    quickN: 5_000,
    rxmp: node('pool-imap-unordered.js', 'fork', '1'),
    baseline: { name: 'Python Pool(2).imap_unordered(chunksize=1)', program: python('pool-imap-unordered') },
    target: { kind: 'at-least', value: 10 },
  },
  {
    key: 'pool-imap-unordered-chunked',
    title: `same, threads, chunksize ${POOL_CHUNK} (maxsize ${POOL_CHUNK_MAXSIZE})`,
    n: 100_000,
    quickN: 5_000,
    rxmp: pooled(node('pool-imap-unordered.js', 'thread', String(POOL_CHUNK))),
    baseline: { name: 'piscina, 2 threads', program: node('piscina-pool.js') },
    target: { kind: 'at-least', value: 10 },
  },
  {
    key: 'pool-imap-unordered-chunked-python',
    title: `same, forked, chunksize ${POOL_CHUNK} (maxsize ${POOL_CHUNK_MAXSIZE}), against Python at chunksize=1`,
    n: 100_000,
    quickN: 5_000,
    rxmp: pooled(node('pool-imap-unordered.js', 'fork', String(POOL_CHUNK))),
    baseline: { name: 'Python Pool(2).imap_unordered(chunksize=1)', program: python('pool-imap-unordered') },
    target: { kind: 'at-least', value: 10 },
  },
  {
    // Like with like: both sides chunked. 1M tasks, since 100k chunked tasks last ~30–100 ms: too short to time.
    key: 'pool-imap-unordered-chunked-python-chunked',
    title: `1M trivial tasks, forked, chunksize ${POOL_CHUNK} on both sides`,
    n: 1_000_000,
    quickN: 20_000,
    rxmp: pooled(node('pool-imap-unordered.js', 'fork', String(POOL_CHUNK))),
    baseline: {
      name: `Python Pool(2).imap_unordered(chunksize=${POOL_CHUNK})`,
      program: { ...python('pool-imap-unordered-chunked'), args: ['pool-imap-unordered-chunked', String(POOL_CHUNK)] },
    },
    target: { kind: 'at-least', value: 1 },
  },
  {
    key: 'value-lock-2',
    title: "2 fork children × n `v.value += 1` under `getLock()`, one Value('i')",
    n: 500_000, // at 100k a run lasted ~50 ms, most of it V8 warming up
    quickN: 10_000,
    rxmp: node('value-lock.js'),
    baseline: { name: "Python Value('i') + get_lock()", program: python('value-lock', 'mp_shared.py') },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'lock-try',
    title: 'one process, uncontended Lock: n × `tryAcquire()` + `release()`',
    n: 5_000_000,
    quickN: 200_000,
    rxmp: node('lock-try.js'),
    baseline: PYTHON_LOCK,
    target: { kind: 'at-least', value: 1 },
  },
  {
    key: 'lock-await',
    title: 'one process, uncontended Lock: n × `await acquire()` + `release()`',
    n: 2_000_000,
    quickN: 100_000,
    rxmp: node('lock-await.js'),
    baseline: PYTHON_LOCK,
    target: { kind: 'at-least', value: 0.5 },
  },
  {
    key: 'event-pingpong',
    title: 'Event set/wait ping-pong round trip with a fork child, two Events (ping, pong)',
    n: 20_000,
    quickN: 1_000,
    rxmp: node('event-pingpong.js'),
    baseline: { name: 'Python mp.Event round trip', program: python('event-pingpong', 'mp_shared.py') },
    target: { kind: 'at-most', value: 1 },
  },
  {
    key: 'barrier-2',
    title: 'Barrier(2).wait() round between a parent and a fork child',
    n: 20_000,
    quickN: 1_000,
    rxmp: node('barrier-wait.js'),
    baseline: { name: 'Python mp.Barrier(2).wait()', program: python('barrier-2', 'mp_shared.py') },
    target: { kind: 'at-most', value: 1 },
  },
  {
    key: 'shm-256',
    title: '256 MiB written by a fork child into SharedMemory, read back and checked by the parent (bytes/s)',
    n: 256 * 2 ** 20,
    quickN: 16 * 2 ** 20,
    rxmp: node('shm-transfer.js'),
    baseline: { name: 'Python shared_memory.SharedMemory', program: python('shm-transfer', 'mp_shared.py') },
    target: { kind: 'at-least', value: 1 },
  },
  {
    key: 'rss',
    title: '1M items of 1 KB through maxsize 100, consumer 10× slower: peak RSS growth, worst process',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('rss.js'),
    target: { kind: 'at-most-absolute', value: 100 },
  },
  {
    key: 'queue-vs-raw',
    title: 'rxmp fork Queue vs raw process.send (json), ints',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-throughput.js', 'fork', 'ints'),
    baseline: { name: 'raw process.send', program: node('raw-process-send.js'), n: (q) => (q ? 20_000 : 300_000) },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'thread-vs-raw',
    title: 'rxmp thread Queue vs raw worker.postMessage, ints (the floor, for reference)',
    n: 1_000_000,
    quickN: 20_000,
    rxmp: node('queue-throughput.js', 'thread', 'ints'),
    baseline: { name: 'raw postMessage', program: node('raw-post-message.js') },
    target: { kind: 'info', value: 0 },
  },
  {
    key: 'redis-vs-bullmq',
    title: 'Redis: 1 producer → 1 consumer process, RedisQueue(maxsize 1000), await put one at a time, observe()',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp', 1, 1),
    baseline: { name: 'BullMQ addBulk + Worker, 1 / 1', program: onRedis('bullmq', 1, 1), n: (q) => (q ? 1_000 : 20_000) },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'redis-chunks-vs-bullmq',
    title: 'same, puts 100 at a time (Promise.all, as BullMQ addBulk chunks of 100)',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp-chunks', 1, 1),
    baseline: { name: 'BullMQ addBulk + Worker, 1 / 1', program: onRedis('bullmq', 1, 1), n: (q) => (q ? 1_000 : 20_000) },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'redis-vs-bullmq-4',
    title: 'Redis: 4 producer → 4 consumer processes, RedisQueue(maxsize 1000), await put one at a time',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp', 4, 4),
    baseline: { name: 'BullMQ addBulk + Worker, 4 / 4', program: onRedis('bullmq', 4, 4), n: (q) => (q ? 1_000 : 20_000) },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'redis-chunks-vs-bullmq-4',
    title: 'same, puts 100 at a time (Promise.all, as BullMQ addBulk chunks of 100)',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp-chunks', 4, 4),
    baseline: { name: 'BullMQ addBulk + Worker, 4 / 4', program: onRedis('bullmq', 4, 4), n: (q) => (q ? 1_000 : 20_000) },
    target: { kind: 'at-least', value: 2 },
  },
  {
    key: 'redis-joinable-vs-bullmq',
    title: 'Redis: 1 → 1 process, RedisJoinableQueue(maxsize 1000) with consume (taskDone: at-least-once, as BullMQ)',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp-joinable', 1, 1),
    baseline: { name: 'BullMQ addBulk + Worker, 1 / 1', program: onRedis('bullmq', 1, 1), n: (q) => (q ? 1_000 : 20_000) },
    target: { kind: 'info', value: 0 },
  },
  {
    key: 'redis-vs-bare',
    title: 'Redis: 1 → 1 process, RedisQueue(maxsize 1000) vs a bare node-redis loop (the floor)',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp', 1, 1),
    baseline: { name: 'node-redis await rPush / blPop, 1 / 1', program: onRedis('bare', 1, 1) },
    target: { kind: 'at-least', value: 0.5 },
  },
  {
    key: 'redis-vs-bare-4',
    title: 'Redis: 4 → 4 processes, RedisQueue(maxsize 1000) vs the bare loop',
    n: 30_000,
    quickN: 2_000,
    rxmp: onRedis('rxmp', 4, 4),
    baseline: { name: 'node-redis await rPush / blPop, 4 / 4', program: onRedis('bare', 4, 4) },
    target: { kind: 'at-least', value: 0.5 },
  },
];
