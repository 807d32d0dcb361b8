import type { SchedulerLike } from 'rxjs';
import type { QueueKeys } from './protocol.js';
import type { RedisConnections } from './redis-connections.js';

/** What the producer and consumer halves of a Redis endpoint share. */
export interface RedisContext {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly consumer: string;
  readonly maxsize: number;
  readonly joinable: boolean;
  readonly scheduler: SchedulerLike;
  readonly connections: RedisConnections;
  /** Something started or stopped waiting on the server (see `RedisConnections.hold`). */
  busyChanged(): void;
  /** Keeps the process alive until `work` settles (a command nothing else waits on). */
  track<R>(work: Promise<R>): Promise<R>;
  /** A call failed in the background (nothing waits on it): reported, never thrown. */
  report(error: unknown): void;
}

/** `maxsize` as the scripts take it: `0` for unbounded. */
export function boundArg(maxsize: number): string {
  return maxsize === Infinity ? '0' : String(maxsize);
}
