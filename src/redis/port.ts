/**
 * The only Redis commands rxmp uses, as an interface: `node-redis-port.ts`
 * adapts node-redis to it; another client (ioredis, valkey-glide) needs only
 * this much. Bulk replies come back as Buffers (items are binary).
 */

/** A Lua script, run by `EVALSHA` (falling back to `EVAL` on `NOSCRIPT`). */
export interface LuaScript {
  readonly source: string;
  /** SHA1 of `source`. */
  readonly sha: string;
}

export type Arg = string | Buffer;

/** One connection to the server. Every method rejects `RedisError` when the server refuses or cannot be reached. */
export interface RedisConnection {
  /** `EVALSHA` / `EVAL`: every key the script touches shares the queue's hash tag. */
  run(script: LuaScript, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
  /** `BLMOVE source destination LEFT RIGHT timeout` (seconds; 0 would wait forever, never used). */
  blmove(source: string, destination: string, timeoutSeconds: number): Promise<Buffer | null>;
  /** `BLPOP key timeout`: the popped value, or `null`. */
  blpop(key: string, timeoutSeconds: number): Promise<Buffer | null>;
  /** `LLEN key`. */
  llen(key: string): Promise<number>;
  /** `GET key`. */
  get(key: string): Promise<Buffer | null>;
  /** `CLIENT ID`. */
  clientId(): Promise<number>;
  /** `CLIENT UNBLOCK id`: whether that client was blocked. */
  clientUnblock(id: number): Promise<boolean>;
  /** `SUBSCRIBE channel` (this connection then only listens). */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /** Lets the process exit while only this connection is open (`true`), or holds it (`false`). */
  unref(idle: boolean): void;
  /** Drops the connection now; pending commands reject. */
  close(): void;
  /** Tells `listener` when the connection breaks for good (it no longer reconnects). */
  onLost(listener: (error: Error) => void): void;
}

/** Opens connections to one server. */
export interface RedisPort {
  /** Connects to `url`; rejects `RedisError` (refused, wrong password, no `redis` package). */
  connect(url: string, name: string): Promise<RedisConnection>;
}
