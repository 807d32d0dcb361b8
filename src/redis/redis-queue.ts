import { asyncScheduler } from 'rxjs';
import { markHandle } from '../handle/handle-kinds.js';
import { kDescribe, type ModuleDescriptor } from '../handle/module-handle.js';
import { JoinableQueue } from '../joinable-queue.js';
import { kEndpoint, kFacts, Queue } from '../queue.js';
import { nodeRedisPort } from './node-redis-port.js';
import type { RedisPort } from './port.js';
import { checkRedisOptions, type RedisQueueOptions } from './redis-options.js';
import { RedisQueueEndpoint } from './redis-queue-endpoint.js';

/** @internal Which client library a handle talks through (tests may inject another). */
export const redisPort: { current: RedisPort } = { current: nodeRedisPort };

function endpointFor<T>(options: unknown, what: string, joinable: boolean): RedisQueueEndpoint<T> {
  const o = checkRedisOptions(options, what);
  return new RedisQueueEndpoint<T>({
    name: o.name,
    url: o.url,
    maxsize: o.maxsize,
    heartbeat: o.heartbeat,
    joinable,
    scheduler: o.scheduler ?? asyncScheduler,
    port: redisPort.current,
  });
}

/**
 * A `Queue` kept on a Redis server: the same API (Promise and Rx faces,
 * `maxsize` backpressure, `Empty`/`Full`, `end()`, `observe()`,
 * `consume`/`enqueue`, AbortSignal), shared by every handle with the same
 * `name` on the same server, in any process on any machine. It connects on
 * first use (calls made before wait for the connection); `close()` closes
 * this handle's connections.
 *
 * Guarantees (see `protocol.ts`):
 * - FIFO from one producer; a put resolves once the server holds the item
 *   (with AOF and `appendfsync always` it survives a server restart; without
 *   persistence a restart loses what the server held).
 * - `maxsize` counts items not yet got (`LLEN` of the list), as Python does,
 *   checked atomically by every put of every handle; items given back
 *   (cancelled gets, failed `consume` runs, the reaper) may exceed it until taken.
 * - Plain get: the item leaves the server once it is handed to the
 *   application. Until then it sits in this consumer's processing list, so
 *   a consumer that dies (the reaper, after 3 × `heartbeat`) or loses its
 *   connection (`RECLAIM`) has it put back at the head: never lost, and
 *   delivered twice only when that happens between the hand-over and the
 *   server's acknowledgment of it (at-least-once in that window), or when
 *   the consumer's event loop stalls longer than 3 × `heartbeat` (it is
 *   then taken for dead). Streams (`observe`, iterators, `consume`) fetch
 *   up to their `prefetch` ahead; those count toward `maxsize` and
 *   `qsize()`, and go back to the head when the stream stops.
 * - A get that is cancelled (timeout, signal, unsubscribe, close) either
 *   delivered its item or left it at the head of the queue.
 * - A call waiting when the connection breaks rejects `RedisError` (a put
 *   that rejects so may or may not have been enqueued: its reply was lost);
 *   while the connection comes back (about 15 s of tries) calls reject
 *   `RedisError` with code `OFFLINE` at once; then the handle works again.
 *   Nothing waits for a reconnect silently. A server that stops answering
 *   with the connection open (frozen, cut off) is not seen as gone until
 *   TCP gives up: calls without a timeout wait until then, but `close()`
 *   waits at most 10 s for it.
 *
 * Timeouts are exact to the queue's scheduler (the server's own blocking
 * timeouts are coarse, ~100 ms at `hz 10`, and are not used for them),
 * with one exception: a put whose command is on its way to the server at
 * its deadline settles on the server's answer (resolved if the server took
 * it, `Full` otherwise), one round trip late, so that it never rejects for
 * an item a consumer got. A put withdrawn while its command is on its way
 * (AbortSignal, `close()`) is taken back from the queue unless a consumer
 * got it first.
 *
 * @example
 * const q = new RedisQueue<string>({ name: 'jobs', url: 'redis://127.0.0.1:6379', maxsize: 100 });
 * await q.put('job');
 * await q.get(); // 'job', from any process that has a handle on 'jobs'
 */
export class RedisQueue<T> extends Queue<T> {
  constructor(options: RedisQueueOptions) {
    super(undefined, endpointFor<T>(options, 'RedisQueue options', false));
  }

  /** @internal Travels in \`Process\` args as its name, url and options; the receiver connects by itself. */
  [kDescribe](): ModuleDescriptor {
    return describeHandle('RedisQueue', this[kEndpoint] as RedisQueueEndpoint<T>);
  }

  /** The queue's name on the server. */
  get name(): string {
    return (this[kEndpoint] as RedisQueueEndpoint<T>).name;
  }

  /** @internal */
  override [kFacts](): { maxsize: number; owner: string; closed: boolean } {
    return { maxsize: this.maxsize, owner: `redis ${describe(this[kEndpoint] as RedisQueueEndpoint<T>)}`, closed: this.closed };
  }
}

/**
 * A `JoinableQueue` kept on a Redis server (see `RedisQueue`). Every put
 * opens a task counted on the server; `taskDone()` closes one this handle
 * got; `join()` waits until none is open, whoever put and got them.
 * At-least-once: an item got by a consumer that dies (or closes) before
 * its `taskDone()` goes back to the head and is delivered again, so
 * `join()` never hangs on a dead consumer.
 */
export class RedisJoinableQueue<T> extends JoinableQueue<T> {
  constructor(options: RedisQueueOptions) {
    super(undefined, endpointFor<T>(options, 'RedisJoinableQueue options', true));
  }

  /** @internal Travels in \`Process\` args as its name, url and options; the receiver connects by itself. */
  [kDescribe](): ModuleDescriptor {
    return describeHandle('RedisJoinableQueue', this[kEndpoint] as RedisQueueEndpoint<T>);
  }

  /** The queue's name on the server. */
  get name(): string {
    return (this[kEndpoint] as RedisQueueEndpoint<T>).name;
  }

  /** @internal */
  override [kFacts](): { maxsize: number; owner: string; closed: boolean } {
    return { maxsize: this.maxsize, owner: `redis ${describe(this[kEndpoint] as RedisQueueEndpoint<T>)}`, closed: this.closed };
  }
}

function describe(endpoint: RedisQueueEndpoint<unknown>): string {
  return `${endpoint.url.replace(/\/\/([^@/]*)@/, '//***@')} ${JSON.stringify(endpoint.name)}`;
}

/** What a Redis queue handle travels as. */
interface RedisHandleData {
  class: 'RedisQueue' | 'RedisJoinableQueue';
  name: string;
  url: string;
  maxsize: number;
  heartbeat: number;
}

function describeHandle(kind: RedisHandleData['class'], endpoint: RedisQueueEndpoint<unknown>): ModuleDescriptor {
  const data: RedisHandleData = {
    class: kind,
    name: endpoint.name,
    url: endpoint.url,
    maxsize: endpoint.maxsize === Infinity ? 0 : endpoint.maxsize,
    heartbeat: endpoint.heartbeat,
  };
  return { module: import.meta.url, export: 'reviveRedisQueue', data };
}

/** @internal Revives a description (see `module-handle.ts`): a new handle on the same queue, connecting on first use. */
export function reviveRedisQueue(data: RedisHandleData): RedisQueue<unknown> | RedisJoinableQueue<unknown> {
  const { name, url, maxsize, heartbeat } = data;
  return data.class === 'RedisJoinableQueue'
    ? new RedisJoinableQueue({ name, url, maxsize, heartbeat })
    : new RedisQueue({ name, url, maxsize, heartbeat });
}

// Travels in Process args as a description of itself (see handle/module-handle.ts).
markHandle(RedisQueue, 'module-handle');
markHandle(RedisJoinableQueue, 'module-handle');
