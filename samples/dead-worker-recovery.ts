/**
 * A worker killed with SIGKILL in the middle of a job loses nothing: the
 * jobs it held but had not finished go back to the front of the queue, a
 * second worker does them, and join() resolves. (Python's JoinableQueue
 * would wait forever here.)
 *
 *   node dist/samples/dead-worker-recovery.js [jobs]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JoinableQueue, Process, Queue } from 'rxmp';
import type { Done } from './workers/slow-worker.js';

const JOBS = Number(process.argv[2] ?? 100);
const jobs = new JoinableQueue<number>({ maxsize: 20 });
const done = new Queue<Done>();
const finished: Done[] = [];
done.observe().subscribe((d) => finished.push(d));

const worker = (name: string) =>
  new Process({ target: new URL('./workers/slow-worker.js', import.meta.url), args: [jobs, done, name, 10], name }).start();

const first = worker('first');
const producing = (async () => {
  for (let job = 0; job < JOBS; job++) await jobs.put(job);
})();

while (finished.length < JOBS / 5) await sleep(5);
first.kill(); // SIGKILL, mid-job
console.log(`killed the first worker (exit code ${await first.join()}) after ${finished.length} jobs`);

const second = worker('second');
await producing;
await jobs.join(); // resolves: the killed worker's unfinished job was redelivered
await jobs.end();
await second.join();
await done.end();

const distinct = new Set(finished.map((d) => d.job));
const byWorker = (name: string) => finished.filter((d) => d.worker === name).length;
console.log(
  `join() resolved: ${distinct.size}/${JOBS} jobs done (first ${byWorker('first')}, second ${byWorker('second')}), ` +
    `${finished.length - distinct.size} done twice`,
);
if (distinct.size !== JOBS) process.exitCode = 1;
