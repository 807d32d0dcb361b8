/**
 * A multi-process pipeline: the parent puts ranges into a bounded
 * JoinableQueue (so it never runs ahead of the workers by more than
 * `maxsize`), forked workers count the primes in each range and put the
 * counts into a results queue the parent observes. Live progress on a
 * terminal, one summary line otherwise.
 *
 *   node dist/samples/worker-pipeline.js [limit] [workers]
 */
import { availableParallelism } from 'node:os';
import { JoinableQueue, Process, Queue } from 'rxmp';
import type { Counted, Range } from './workers/prime-counter.js';

const LIMIT = Number(process.argv[2] ?? 10_000_000);
const WORKERS = Number(process.argv[3] ?? Math.max(2, availableParallelism()));
const RANGE = 5_000;
const MAXSIZE = 50;
/** π(10^k), to check that every range was counted exactly once. */
const KNOWN: Record<number, number> = { 100000: 9_592, 1000000: 78_498, 10000000: 664_579 };

const jobs = new JoinableQueue<Range>({ maxsize: MAXSIZE });
const results = new Queue<Counted>();
const workers = Array.from(
  { length: WORKERS },
  (_, i) =>
    new Process({
      target: new URL('./workers/prime-counter.js', import.meta.url),
      args: [jobs, results],
      name: `prime-counter-${i + 1}`,
    }),
);

const ranges = Math.ceil(LIMIT / RANGE);
const seen = new Set<number>();
const byWorker = new Map<number, number>();
let primes = 0;
let largestBacklog = 0;
const started = performance.now();

const collecting = new Promise<void>((resolve, reject) =>
  results.observe().subscribe({
    next: (r) => {
      if (seen.has(r.id)) reject(new Error(`range ${r.id} was counted twice`));
      seen.add(r.id);
      primes += r.primes;
      byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
    },
    complete: resolve,
    error: reject,
  }),
);

const tty = process.stdout.isTTY;
const progress = setInterval(() => {
  void jobs.qsize().then((backlog) => {
    largestBacklog = Math.max(largestBacklog, backlog);
    if (!tty) return;
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `\rranges ${seen.size}/${ranges}  primes ${primes}  jobs queued ${backlog}/${MAXSIZE}  ` +
        `${Math.round(seen.size / seconds)} ranges/s   `,
    );
  });
}, 100);

console.log(
  `rxmp demo: primes below ${LIMIT.toLocaleString('en')} in ${ranges} ranges, ${WORKERS} forked workers, jobs maxsize ${MAXSIZE}`,
);
for (const worker of workers) worker.start();
for (let id = 0; id < ranges; id++) {
  await jobs.put({ id, from: id * RANGE, to: Math.min(LIMIT, (id + 1) * RANGE) }); // waits while 50 are queued
}
await jobs.join(); // every range done (taskDone in the workers)
await jobs.end(); // the workers' consume completes: they exit
const codes = await Promise.all(workers.map((w) => w.join()));
await results.end();
await collecting;
clearInterval(progress);

const seconds = (performance.now() - started) / 1000;
if (tty) process.stdout.write('\n');
const shares = [...byWorker.values()].join('/');
console.log(
  `done: ${seen.size} ranges, ${primes} primes in ${seconds.toFixed(2)} s (${Math.round(seen.size / seconds)} ranges/s), ` +
    `ranges per worker ${shares}, jobs queue never above ${Math.max(largestBacklog, 0)}/${MAXSIZE}, workers exited ${codes.join(',')}`,
);
const expected = KNOWN[LIMIT];
if (seen.size !== ranges || codes.some((c) => c !== 0) || (expected !== undefined && primes !== expected)) {
  console.error(`unexpected result (expected ${expected ?? '?'} primes in ${ranges} ranges)`);
  process.exitCode = 1;
} else if (expected !== undefined) {
  console.log(`check: π(${LIMIT.toLocaleString('en')}) = ${expected} ✓ every range counted exactly once`);
}
