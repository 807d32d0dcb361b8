/**
 * What every Redis bench worker shares: its arguments, "ready" / "go" /
 * "stop" with the parent, and a consumer's count, reported every 20 ms (so
 * the parent's clock stops within ~20 ms of the last item, whatever the system).
 */
import type { WorkerArgs, WorkerMessage } from '../measure/redis-throughput.js';

export const args = JSON.parse(process.argv[2] as string) as WorkerArgs;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Tells the parent this worker is connected, and resolves on "go". */
export function readyThenGo(): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (m) => {
      if (m === 'go') resolve();
    });
    send({ ready: true });
  });
}

/** Resolves on "stop" (after the parent has all the counts). */
export const stopped = new Promise<void>((resolve) =>
  process.on('message', (m) => {
    if (m === 'stop') resolve();
  }),
);

/** A consumer's running count, sent every 20 ms while it changes; `flush()` sends it now. */
export function counter(): { add(k?: number): void; flush(): void; stop(): void } {
  let count = 0;
  let sent = 0;
  const flush = (): void => {
    if (count === sent) return;
    sent = count;
    send({ count });
  };
  const timer = setInterval(flush, 20);
  return {
    add: (k = 1) => {
      count += k;
    },
    flush,
    stop: () => {
      clearInterval(timer);
      flush();
    },
  };
}

/** The payload every system carries: a small object. */
export function payload(i: number): { i: number } {
  return { i };
}
