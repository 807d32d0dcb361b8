/**
 * `rxmp/redis`: queues on a real Redis server, across machines.
 *
 * - `RedisQueue<T>`, `RedisJoinableQueue<T>`: the `Queue`/`JoinableQueue`
 *   API on a server (see each class for its guarantees, and `protocol.ts`
 *   for the keys and scripts).
 * - `RedisQueueOptions`: `{ name, url, maxsize, heartbeat, scheduler }`.
 * - Errors: `RedisError` (the server cannot be reached, refused a command,
 *   a wrong password, the connection dropped under a call, no `redis`
 *   package; its `code` and `cause` say which) and `ForeignItemError` (a
 *   value in the list that rxmp did not write: the get that met it rejects
 *   with it, and the value is moved aside). rxmp's own `Empty`, `Full`,
 *   `ClosedError`, `SerializationError` and `Unfinished` mean what they mean
 *   for every queue.
 *
 * Needs the `redis` package (node-redis ≥ 5), an optional peer dependency
 * loaded on first connect.
 */
export { RedisJoinableQueue, RedisQueue } from './redis-queue.js';
export type { RedisQueueOptions } from './redis-options.js';
export { ForeignItemError, RedisError } from './redis-error.js';
