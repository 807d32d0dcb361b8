import { inspect, type InspectOptionsStylized } from 'node:util';
import { threadId } from 'node:worker_threads';

/**
 * What `util.inspect` and `toString` show of a public handle: its class and
 * the few facts a user wants (`Queue { maxsize: 10, owner: 'this process',
 * closed: false }`), never its internals.
 */
export function showHandle(name: string, facts: object, options?: InspectOptionsStylized): string {
  const body = inspect(facts, { ...options, depth: 1, compact: true, breakLength: Number.POSITIVE_INFINITY });
  return `${options?.stylize ? options.stylize(name, 'special') : name} ${body}`;
}

/**
 * How this process (and thread) names itself to users: `'pid 1234'`, or
 * `'pid 1234 thread 2'` in a worker thread. (A runtime id cannot say it: a
 * parent chooses its children's ids.)
 */
export function whereAmI(): string {
  return threadId === 0 ? `pid ${process.pid}` : `pid ${process.pid} thread ${threadId}`;
}
