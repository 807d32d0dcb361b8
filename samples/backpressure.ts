/**
 * A producer much faster than its consumer, through a bounded queue: the
 * producer waits for space, so the queue never holds more than `maxsize`
 * items and memory stays flat however many items go through.
 *
 *   node dist/samples/backpressure.js [items]
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { consume, Queue } from 'rxmp';

const ITEMS = Number(process.argv[2] ?? 100_000);
const MAXSIZE = 100;
const PAYLOAD = 'x'.repeat(1024);

interface Job {
  id: number;
  payload: string;
}

const q = new Queue<Job>({ maxsize: MAXSIZE });
let produced = 0;
let consumed = 0;
let maxQsize = 0;
const heapAtStart = process.memoryUsage().heapUsed;
let heapPeak = heapAtStart;
const started = performance.now();

async function produce(): Promise<void> {
  for (let id = 0; id < ITEMS; id++) {
    await q.put({ id, payload: PAYLOAD }); // waits whenever the queue is full
    produced++;
  }
  await q.end();
}

// The consumer is deliberately slower: a few hashes and a turn of the event loop per item.
async function work(job: Job): Promise<string> {
  let digest = job.payload;
  for (let i = 0; i < 5; i++) digest = createHash('sha256').update(digest).digest('hex');
  await nextTurn();
  return digest;
}

async function sample(): Promise<void> {
  maxQsize = Math.max(maxQsize, await q.qsize());
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const tty = process.stdout.isTTY;
const ticker = setInterval(() => {
  void sample().then(() => {
    if (tty) {
      process.stdout.write(
        `\rproduced ${produced}  consumed ${consumed}  qsize ${maxQsize}  heap ${mb(process.memoryUsage().heapUsed)} MB   `,
      );
    }
  });
}, 50);

console.log(`rxmp demo: fast producer -> Queue(maxsize ${MAXSIZE}) -> slow consumer, ${ITEMS} items of 1 KB (in-process)`);
const consumer = lastValueFrom(
  consume(
    q,
    async (job: Job) => {
      await work(job);
      consumed++;
      return job.id;
    },
    { concurrency: 4 },
  ),
  { defaultValue: -1 },
);
await Promise.all([produce(), consumer]);
clearInterval(ticker);
await sample();

const seconds = (performance.now() - started) / 1000;
if (tty) process.stdout.write('\n');
console.log(
  `produced ${produced}, consumed ${consumed}, max qsize ${maxQsize} (maxsize ${MAXSIZE}), ` +
    `heap ${mb(heapAtStart)} MB -> peak ${mb(heapPeak)} MB, ${seconds.toFixed(2)} s ` +
    `(${Math.round(consumed / seconds)} items/s)`,
);
if (consumed !== ITEMS || maxQsize > MAXSIZE) {
  console.error('unexpected: items lost or queue over its bound');
  process.exitCode = 1;
}
