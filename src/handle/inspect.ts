import { inspect, type InspectOptionsStylized } from 'node:util';

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
 * A runtime id (`<pid>.<threadId>.<random>`, see `Runtime.newId`) as a user
 * reads it: `'pid 1234'`, or `'pid 1234 thread 2'` for a worker thread; any
 * other id (two runtimes joined in memory in a spec) as itself.
 */
export function runtimeName(id: string): string {
  const m = /^(\d+)\.(\d+)\.[0-9a-f]+$/.exec(id);
  if (!m) return id;
  return m[2] === '0' ? `pid ${m[1]}` : `pid ${m[1]} thread ${m[2]}`;
}
