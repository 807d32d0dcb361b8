import type { SchedulerLike } from 'rxjs';
import { checkMaxsize, checkOptions, checkScheduler, quote } from '../handle/options.js';

/**
 * Options of `RedisQueue` and `RedisJoinableQueue`.
 *
 * @example
 * new RedisQueue<Job>({ name: 'jobs', url: 'redis://cache.internal:6379', maxsize: 1000 })
 */
export interface RedisQueueOptions {
  /**
   * The queue's name on the server (required): every handle with the same
   * name and server is a handle on the same queue, in any process on any
   * machine. Its keys are under `{rxmp:<name>}`. A non-empty string.
   */
  name: string;
  /** The server, `redis://[user:password@]host:port[/db]` (or `rediss://`). Default `'redis://127.0.0.1:6379'`. */
  url?: string;
  /**
   * Bound on items not yet got (Python's count), shared by every handle:
   * a put waits for room. `≤ 0`, `Infinity` or absent: unbounded. Every
   * handle on one queue should use the same bound.
   */
  maxsize?: number;
  /**
   * How often (ms) this handle says it is alive and reaps dead consumers;
   * a consumer silent for 3 × `heartbeat` is dead and what it held goes
   * back to the head of the queue. Default 1000; at least 10.
   */
  heartbeat?: number;
  /** Runs this handle's timeouts (default `asyncScheduler`; a `TestScheduler` makes them virtual). */
  scheduler?: SchedulerLike;
}

export const DEFAULT_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_HEARTBEAT = 1000;

export interface CheckedRedisOptions {
  name: string;
  url: string;
  maxsize: number;
  heartbeat: number;
  scheduler: SchedulerLike | undefined;
}

/** Checks a `RedisQueueOptions` strictly: a TypeError or RangeError naming the bad option and quoting its value. */
export function checkRedisOptions(options: unknown, what: string): CheckedRedisOptions {
  if (options === undefined) throw new TypeError(`${what}: the option "name" is required (the queue's name on the server)`);
  const o = checkOptions<RedisQueueOptions>(options, what, ['name', 'url', 'maxsize', 'heartbeat', 'scheduler']);
  if (typeof o.name !== 'string') throw new TypeError(`${what}: name must be a string, got ${quote(o.name)}`);
  if (o.name.length === 0) throw new RangeError(`${what}: name must not be empty`);
  const url = o.url ?? DEFAULT_URL;
  if (typeof url !== 'string') throw new TypeError(`${what}: url must be a string, got ${quote(url)}`);
  if (!/^rediss?:\/\//.test(url)) throw new RangeError(`${what}: url must start with redis:// or rediss://, got ${quote(url)}`);
  try {
    new URL(url);
  } catch {
    throw new RangeError(`${what}: url is not a valid URL, got ${quote(url)}`);
  }
  const heartbeat = o.heartbeat ?? DEFAULT_HEARTBEAT;
  if (typeof heartbeat !== 'number') throw new TypeError(`${what}: heartbeat must be a number of milliseconds, got ${quote(heartbeat)}`);
  if (!Number.isInteger(heartbeat) || heartbeat < 10 || heartbeat > 3_600_000) {
    throw new RangeError(`${what}: heartbeat must be an integer from 10 to 3600000 ms, got ${quote(heartbeat)}`);
  }
  return { name: o.name, url, maxsize: checkMaxsize(o.maxsize), heartbeat, scheduler: checkScheduler(o.scheduler) };
}
