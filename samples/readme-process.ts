import { JoinableQueue, Process, Queue } from 'rxmp';

const jobs = new JoinableQueue<string>({ maxsize: 100 });
const results = new Queue<number>();
const worker = new Process({
  target: new URL('./workers/readme-worker.js', import.meta.url), // a module file
  args: [jobs, results, { shout: true }], // queues and pipe ends travel as working handles
  kind: 'fork', // or 'thread': a worker thread
}).start();

for (const word of ['multi', 'processing']) await jobs.put(word);
await jobs.join(); // the worker marked both done
await jobs.end(); // its loop ends, it flushes and exits 0
console.log(await results.get(), await results.get(), 'exit code', await worker.join());
