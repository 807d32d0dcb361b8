/** For samples/dead-worker-recovery.ts: takes jobs one at a time, slowly, and reports each one done. */
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { consume, type JoinableQueue, type Queue } from 'rxmp';

export interface Done {
  job: number;
  worker: string;
}

export default async function slowWorker(jobs: JoinableQueue<number>, done: Queue<Done>, name: string, workMs: number): Promise<void> {
  await lastValueFrom(
    consume(jobs, async (job: number) => {
      await sleep(workMs); // a SIGKILL here leaves the job unfinished: it is redelivered
      await done.put({ job, worker: name });
    }),
    { defaultValue: undefined },
  );
}
