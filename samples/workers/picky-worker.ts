import { consume, type JoinableQueue, type PoisonItem, type Queue } from 'rxmp';

export interface Job {
  id: number;
  /** A job this worker cannot survive: it exits in the middle of it (a crash, an OOM…). */
  fatal?: boolean;
  /** A job whose work always throws. */
  broken?: boolean;
}

/**
 * A worker that processes jobs with a poison limit: a job it cannot do is
 * tried at most `maxAttempts` times, by any worker, then set aside in
 * `failed` with its last error. Ends when the jobs queue has ended.
 */
export default function pickyWorker(
  jobs: JoinableQueue<Job>,
  done: Queue<number>,
  failed: Queue<PoisonItem<Job>>,
  maxAttempts: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    consume(
      jobs,
      async (job: Job) => {
        if (job.fatal) process.exit(13);
        if (job.broken) throw new TypeError(`job ${job.id} is broken`);
        await done.put(job.id);
      },
      { maxAttempts, deadLetter: failed },
    ).subscribe({ complete: resolve, error: reject });
  });
}
