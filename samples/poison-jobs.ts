/**
 * Poison jobs do not take the pool down: a job that kills every worker that
 * takes it, and one whose work always throws, are each tried `maxAttempts`
 * times (the count travels with the job from worker to worker), then set
 * aside in a dead-letter queue with their last error. Every other job is
 * done and join() resolves. (With Python's JoinableQueue the first would
 * kill worker after worker, and join() would wait forever.)
 *
 *   node dist/samples/poison-jobs.js [jobs]
 */
import { JoinableQueue, type PoisonItem, Process, Queue } from 'rxmp';
import type { Job } from './workers/picky-worker.js';

const JOBS = Number(process.argv[2] ?? 50);
const MAX_ATTEMPTS = 3;
const jobs = new JoinableQueue<Job>({ maxsize: 20 });
const done = new Queue<number>();
const failed = new Queue<PoisonItem<Job>>();
const finished = new Set<number>();
done.observe().subscribe((id) => finished.add(id));

// A pool of two that replaces a worker that dies, as a supervisor would.
let started = 0;
let stopping = false;
const running = new Set<Process>();
function startWorker(): void {
  const worker = new Process({
    target: new URL('./workers/picky-worker.js', import.meta.url),
    args: [jobs, done, failed, MAX_ATTEMPTS],
    name: `worker-${++started}`,
  }).start();
  running.add(worker);
  void worker.join().then((code) => {
    running.delete(worker);
    if (code !== 0 && !stopping) startWorker();
  });
}
startWorker();
startWorker();

for (let id = 0; id < JOBS; id++) await jobs.put({ id, fatal: id === 7, broken: id === 11 });
await jobs.join({ timeout: 60_000 }); // resolves: the poison jobs count as done once set aside
stopping = true;
await jobs.end();
for (const worker of [...running]) await worker.join();

const aside: PoisonItem<Job>[] = [];
while (!(await failed.empty())) aside.push(await failed.get());
for (const p of aside.sort((a, b) => a.item.id - b.item.id)) {
  console.log(`set aside: job ${p.item.id} after ${p.attempts} attempts: ${(p.error as Error).message}`);
}
console.log(`join() resolved: ${finished.size}/${JOBS - aside.length} other jobs done, ${started} workers started`);
if (finished.size !== JOBS - 2 || aside.length !== 2) process.exitCode = 1;
