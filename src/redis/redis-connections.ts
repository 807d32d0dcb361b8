import { ClosedError } from '../errors.js';
import type { RedisConnection, RedisPort } from './port.js';
import type { QueueKeys } from './protocol.js';
import { BEAT, REAP } from './scripts.js';

/** The connections of one handle: commands, pub/sub, and one per kind of blocking wait. */
export interface Connections {
  /** Scripts and plain commands, in order. */
  readonly cmd: RedisConnection;
  /** Listens on the queue's channels. */
  readonly sub: RedisConnection;
}

export interface ConnectionsHost {
  readonly url: string;
  readonly keys: QueueKeys;
  readonly consumer: string;
  readonly heartbeat: number;
  onEvent(message: string): void;
  onDrained(): void;
  /** A connection broke for good: everything waiting on it fails with `error`. */
  onLost(error: Error): void;
}

/**
 * Opens a handle's connections lazily (the first call waits for them),
 * keeps its heartbeat and runs the reaper, and lets the process exit while
 * nothing waits on the server: the sockets are unreferenced, and a
 * referenced timer stands in for them while calls are pending.
 */
export class RedisConnections {
  private current: Connections | undefined;
  private opening: Promise<Connections> | undefined;
  private readonly blocking = new Map<string, Promise<{ conn: RedisConnection; id: number }>>();
  private readonly opened = new Set<RedisConnection>();
  private beat: ReturnType<typeof setInterval> | undefined;
  private holder: ReturnType<typeof setInterval> | undefined;
  private closedFlag = false;

  constructor(
    private readonly port: RedisPort,
    private readonly host: ConnectionsHost,
  ) {}

  /** The connections if they are up now. */
  get now(): Connections | undefined {
    return this.current;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  ready(): Promise<Connections> {
    if (this.current) return Promise.resolve(this.current);
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  /** A connection of its own for blocking commands of `role` (`get`, `put`), with the client id it had when opened (it changes if it reconnects). */
  blocker(role: string): Promise<{ conn: RedisConnection; id: number }> {
    let made = this.blocking.get(role);
    if (!made) {
      made = this.connect(role).then(async (conn) => ({ conn, id: await conn.clientId() }));
      made.catch(() => this.blocking.delete(role));
      this.blocking.set(role, made);
    }
    return made;
  }

  /** The blocking connection of `role` broke: it is dropped, and the next `blocker(role)` opens another. */
  dropBlocker(role: string): void {
    const made = this.blocking.get(role);
    if (!made) return;
    this.blocking.delete(role);
    made.then(
      ({ conn }) => {
        this.opened.delete(conn);
        conn.close();
      },
      () => undefined,
    );
  }

  /** Keeps the process alive (`true`) while calls wait on the server, or lets it go. */
  hold(busy: boolean): void {
    if (busy === this.held) return;
    this.held = busy;
    if (!this.holder) {
      this.holder = setInterval(() => {}, 1 << 30);
      this.holder.unref();
    }
    if (busy) this.holder.ref();
    else this.holder.unref();
  }

  private held = false;

  /**
   * No more heartbeats (nor reaping) from this handle: called before it
   * leaves, so that a BEAT sent after the LEAVE cannot add it back to the
   * consumers for good.
   */
  stopBeating(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = undefined;
  }

  /** Closes every connection now (pending commands reject). */
  close(): void {
    this.closedFlag = true;
    if (this.holder) clearInterval(this.holder);
    this.holder = undefined;
    this.held = false;
    this.stopBeating();
    for (const conn of this.opened) conn.close();
    this.opened.clear();
    this.current = undefined;
  }

  private async connect(role: string): Promise<RedisConnection> {
    const conn = await this.port.connect(this.host.url, `rxmp-${role}`);
    if (this.closedFlag) {
      conn.close();
      throw new ClosedError('queue', 'queue handle is closed');
    }
    conn.unref(true);
    this.opened.add(conn);
    conn.onLost((error) => this.lost(conn, error));
    return conn;
  }

  private async open(): Promise<Connections> {
    const { keys } = this.host;
    const cmd = await this.connect('cmd');
    let sub: RedisConnection | undefined;
    try {
      sub = await this.connect('sub');
      await sub.subscribe(keys.events, (message) => this.host.onEvent(message));
      await sub.subscribe(keys.drained, () => this.host.onDrained());
      await this.beatOnce(cmd);
    } catch (error) {
      for (const conn of [cmd, ...(sub === undefined ? [] : [sub])]) {
        conn.close();
        this.opened.delete(conn);
      }
      throw error;
    }
    if (this.closedFlag) {
      // Closed while it connected: nothing of it stays open.
      cmd.close();
      sub.close();
      throw new ClosedError('queue', 'queue handle is closed');
    }
    const conns = { cmd, sub };
    this.current = conns;
    this.beat = setInterval(() => {
      void this.beatOnce(cmd).catch(() => undefined);
      void cmd.run(REAP, [keys.consumers, keys.items, keys.ahead], [keys.prefix]).catch(() => undefined);
    }, this.host.heartbeat);
    this.beat.unref();
    return conns;
  }

  private beatOnce(cmd: RedisConnection): Promise<unknown> {
    const { keys, consumer, heartbeat } = this.host;
    return cmd.run(BEAT, [keys.consumers, keys.heartbeat(consumer)], [consumer, String(3 * heartbeat)]);
  }

  /** A connection gave up reconnecting: the next call opens new ones. */
  private lost(conn: RedisConnection, error: Error): void {
    this.opened.delete(conn);
    conn.close();
    for (const [role, made] of this.blocking) {
      made.then(
        (b) => {
          if (b.conn === conn) this.blocking.delete(role);
        },
        () => undefined,
      );
    }
    if (this.current && (this.current.cmd === conn || this.current.sub === conn)) {
      for (const other of [this.current.cmd, this.current.sub]) {
        if (other !== conn) {
          other.close();
          this.opened.delete(other);
        }
      }
      this.current = undefined;
      this.opening = undefined;
      if (this.beat) clearInterval(this.beat);
      this.beat = undefined;
    }
    this.host.onLost(error);
  }
}
