import type { JoinableQueue, Queue } from 'rxmp';

export default async function worker(jobs: JoinableQueue<string>, results: Queue<number>, options: { shout: boolean }) {
  for await (const job of jobs) {
    await results.put(options.shout ? job.toUpperCase().length : job.length);
    jobs.taskDone();
  }
}
