import type { Arg, LuaScript, RedisConnection, RedisPort } from './port.js';
import { RedisError } from './redis-error.js';

/** What rxmp uses of a node-redis v5 client (the `redis` package), typed here so rxmp compiles without it. */
interface NodeRedisClient {
  connect(): Promise<unknown>;
  sendCommand<T = unknown>(args: readonly Arg[], options?: { typeMapping?: object }): Promise<T>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
  ref(): void;
  unref(): void;
}

interface NodeRedisModule {
  createClient(options: object): NodeRedisClient;
  RESP_TYPES: { BLOB_STRING: number };
}

let loaded: Promise<NodeRedisModule> | undefined;

/** `import('redis')`, once; a clear `RedisError` where the optional peer dependency is not installed. */
function nodeRedis(): Promise<NodeRedisModule> {
  loaded ??= (import('redis' as string) as Promise<NodeRedisModule>).catch((cause: unknown) => {
    loaded = undefined;
    throw new RedisError('rxmp/redis needs the redis package (node-redis ≥ 5): npm install redis', { cause, code: 'MODULE_NOT_FOUND' });
  });
  return loaded;
}

/** How many times a connection that had worked tries again before it gives up (about 15 s). */
const RETRIES = 40;

/** node-redis v5 behind the port: one client per connection, no offline queue (a call never waits for a reconnect). */
export const nodeRedisPort: RedisPort = {
  async connect(url, name) {
    const redis = await nodeRedis();
    let connected = false;
    let lostWith: Error | undefined;
    /** What the first connect met (the client itself then only says it is closed). */
    let refused: unknown;
    const lost = new Set<(error: Error) => void>();
    const client = redis.createClient({
      url,
      name,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        reconnectStrategy: (retries: number, cause: Error) => {
          if (!connected) refused ??= cause;
          if (!connected || retries >= RETRIES) {
            const error = new RedisError(`cannot connect to ${safe(url)}: ${cause.message}`, { cause });
            if (connected && !lostWith) {
              lostWith = error;
              for (const listener of lost) listener(error);
            }
            return error;
          }
          return Math.min(50 * (retries + 1), 500);
        },
      },
    });
    client.on('error', (error) => {
      if (!connected) refused ??= error;
      // Reported to the calls that fail, or by the reconnect strategy; never an unhandled 'error'.
    });
    try {
      await client.connect();
    } catch (cause) {
      destroy(client);
      const reason = (refused ?? cause) as Error;
      throw new RedisError(`cannot connect to ${safe(url)}: ${reason.message}`, { cause: reason });
    }
    connected = true;
    const buffers = { typeMapping: { [redis.RESP_TYPES.BLOB_STRING]: Buffer } };
    const send = async <T>(args: readonly Arg[]): Promise<T> => {
      try {
        return await client.sendCommand<T>(args, buffers);
      } catch (cause) {
        throw new RedisError(`redis ${String(args[0])} failed: ${(cause as Error).message}`, { cause });
      }
    };
    const connection: RedisConnection = {
      async run(script: LuaScript, keys, args) {
        const tail = [String(keys.length), ...keys, ...args];
        try {
          return await client.sendCommand(['EVALSHA', script.sha, ...tail], buffers);
        } catch (cause) {
          if (!String((cause as Error).message).startsWith('NOSCRIPT')) {
            throw new RedisError(`redis script failed: ${(cause as Error).message}`, { cause });
          }
        }
        return send(['EVAL', script.source, ...tail]);
      },
      blmove: (source, destination, timeout) => send<Buffer | null>(['BLMOVE', source, destination, 'LEFT', 'RIGHT', String(timeout)]),
      blpop: async (key, timeout) => {
        const reply = await send<[Buffer, Buffer] | null>(['BLPOP', key, String(timeout)]);
        return reply ? reply[1] : null;
      },
      llen: (key) => send<number>(['LLEN', key]),
      get: (key) => send<Buffer | null>(['GET', key]),
      clientId: () => send<number>(['CLIENT', 'ID']),
      clientUnblock: async (id) => (await send<number>(['CLIENT', 'UNBLOCK', String(id)])) === 1,
      async subscribe(channel, listener) {
        try {
          await client.subscribe(channel, listener);
        } catch (cause) {
          throw new RedisError(`redis SUBSCRIBE failed: ${(cause as Error).message}`, { cause });
        }
      },
      unref: (idle) => (idle ? client.unref() : client.ref()),
      close: () => {
        lost.clear();
        destroy(client);
      },
      onLost: (listener) => {
        if (lostWith) listener(lostWith);
        else lost.add(listener);
      },
    };
    return connection;
  },
};

/** Drops the client; one that gave up reconnecting is closed already (node-redis then throws). */
function destroy(client: NodeRedisClient): void {
  try {
    client.destroy();
  } catch {
    // closed already
  }
}

/** `url` without its password, for messages. */
function safe(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
