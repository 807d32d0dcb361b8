/**
 * Throwaway Redis servers for the specs: Debian's `redis-server` on a free
 * loopback port, its files in a temp dir, no persistence unless asked. The
 * run shares one (`sharedRedis()`), stopped by a root `after` hook; a spec
 * that restarts or kills a server starts its own (`startRedis()`).
 *
 * Outside CI a machine without `redis-server` skips these specs, saying so;
 * under `CI=true` they must run, so a missing server fails them.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipBecause } from './skip.js';

export interface RedisServerOptions {
  /** Append-only file on, fsync'd every write: what is acknowledged survives a restart. */
  appendonly?: boolean;
  /** `requirepass`: clients must AUTH with it. */
  password?: string;
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (with the password, when there is one). */
  readonly url: string;
  readonly port: number;
  /** Its working dir (the AOF lives here). */
  readonly dir: string;
  /** Whether the server process is running now. */
  readonly running: boolean;
  /** SIGTERM, waits for the exit, removes the dir. */
  stop(): Promise<void>;
  /** SIGKILL (no shutdown save), waits for the exit; `start()` brings it back on the same port and dir. */
  kill(): Promise<void>;
  /** Starts it again after `kill()`, same port, same dir, same options. */
  start(): Promise<void>;
  /** `kill()` then `start()`: clients see their connections drop. */
  restart(): Promise<void>;
}

let binary: string | null | undefined;

/** The path of `redis-server`, or `undefined` where it is not installed. */
export function redisServerPath(): string | undefined {
  if (binary === undefined) {
    try {
      binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
    } catch {
      binary = null;
    }
  }
  return binary ?? undefined;
}

/** In a `before`/`it`: skips (with the reason) where no server can run, except under CI, where it throws. */
export function needRedis(ctx: Mocha.Context): void {
  if (redisServerPath()) return;
  if (process.env.CI === 'true') throw new Error('redis-server is not installed, and CI must run the Redis specs (.ci/run installs it)');
  skipBecause(ctx, 'redis-server is not installed (apt-get install -y redis-server)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // +PONG, or -NOAUTH when a password is set: either way it is serving.
      if (text.includes('\r\n')) done(text.startsWith('+PONG') || text.startsWith('-NOAUTH'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

class ThrowawayServer implements RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    this.url = `redis://${auth}127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', this.options.appendonly ? 'yes' : 'no');
    if (this.options.appendonly) args.push('--appendfsync', 'always');
    if (this.options.password) args.push('--requirepass', this.options.password);
    const child = spawn(redisServerPath() as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (chunk) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    child.stderr?.on('data', (chunk) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 20_000;
    while (!(await answersPing(this.port))) {
      if (!this.child) throw new Error(`redis-server exited at start on port ${this.port}:\n${log}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server did not answer on port ${this.port} within 20 s:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    live.delete(this);
    this.child?.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** At exit, synchronously: nothing may outlive the run. */
  killNow(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const live = new Set<ThrowawayServer>();
process.once('exit', () => {
  for (const server of live) server.killNow();
});

/** Starts a server of its own for one spec; the spec stops it (`after`). */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!redisServerPath()) throw new Error('redis-server is not installed');
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'rxmp-redis-'));
    const server = new ThrowawayServer(await freePort(), dir, options);
    live.add(server);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // Another process may have taken the port between our probe and the server's bind.
      if (attempt >= 3) throw error;
    }
  }
}

let shared: Promise<RedisServer> | undefined;

/** The url of the server this whole run shares (started on first use). Keys differ per test; nothing is flushed. */
export async function sharedRedis(): Promise<string> {
  shared ??= startRedis();
  return (await shared).url;
}

// A root hook: once every spec has run, the shared server goes.
if (typeof after === 'function') {
  after(async () => {
    if (shared) await (await shared).stop();
    shared = undefined;
  });
}
