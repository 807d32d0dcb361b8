import type { Subscription } from 'rxjs';
import type { Cancel, Delivery, GetListener } from '../core/listeners.js';
import { Empty } from '../errors.js';
import { decodeEntry, withAttempts } from './entry-codec.js';
import type { Arg, LuaScript, RedisConnection } from './port.js';
import { boundArg, type RedisContext } from './redis-context.js';
import { ForeignItemError } from './redis-error.js';
import { DONE, FOREIGN, LEAVE, MOVED, RECLAIM, RETURN, TAKE } from './scripts.js';

interface PendingGet<T> {
  readonly listener: GetListener<T>;
  readonly timeout: number | undefined;
  /** Its entry stays in this consumer's processing list until done, settled or given back. */
  readonly keep: boolean;
  done: boolean;
  deadline: Subscription | undefined;
}

/** An entry this handle holds in its processing list, by delivery tag. */
interface Held {
  readonly entry: Buffer;
  readonly attempts: number;
}

const BATCH = 256;
/** How often a taskDone that met a missing server is tried again (100 ms apart: about as long as a connection tries to come back). */
const DONE_RETRIES = 150;
/** How long one BLMOVE blocks before the handle looks again (seconds): bounds how late a missed `ended` is seen. */
const BLOCK_CHUNK_S = 2;

/**
 * The consumer half of a Redis endpoint: gets of one handle, served in
 * order; those waiting together take in one TAKE script; when nothing is
 * there the oldest blocks in a BLMOVE on the handle's get connection.
 */
export class RedisConsumer<T> {
  private readonly gets: PendingGet<T>[] = [];
  private inflight = false;
  private blockedOn: number | undefined;
  private unblocking = false;
  private scheduled = false;
  /** The queue's `ended` was heard: a get about to block looks again first (the news may beat its BLMOVE). */
  private endHint = false;
  private readonly held = new Map<number, Held>();
  private nextTag = 1;
  /** The error the queue ended on, once known (see `QueueEndpoint.endError`). */
  endError: Error | undefined;

  constructor(
    private readonly ctx: RedisContext,
    private readonly decodeEnd: (how: Buffer) => Error | undefined,
  ) {}

  get waiting(): number {
    return this.gets.length;
  }

  get holding(): number {
    return this.held.size;
  }

  get(listener: GetListener<T>, timeout: number | undefined, returnable: boolean): Cancel | undefined {
    // Others of this handle already wait on an empty queue: a get that must not wait finds nothing either.
    if (timeout === 0 && this.blockedOn !== undefined) {
      listener.failed(new Empty(0));
      return undefined;
    }
    const g: PendingGet<T> = { listener, timeout, keep: this.ctx.joinable || returnable, done: false, deadline: undefined };
    this.gets.push(g);
    if (timeout !== undefined && timeout !== Infinity && timeout > 0) {
      g.deadline = this.ctx.scheduler.schedule(() => {
        if (this.withdraw(g)) listener.failed(new Empty(timeout));
      }, timeout);
    }
    this.ctx.busyChanged();
    this.soon();
    return () => this.withdraw(g);
  }

  attempts(tag: number): number {
    return this.held.get(tag)?.attempts ?? 0;
  }

  /** The oldest delivery held (JoinableQueue's `taskDone()` without a tag). */
  oldest(): number | undefined {
    return this.held.keys().next().value;
  }

  has(tag: number): boolean {
    return this.held.has(tag);
  }

  /** Done (JoinableQueue) or settled (plain): the entry leaves the processing list. */
  finish(tag: number, joinable: boolean): void {
    const h = this.held.get(tag);
    if (!h) return;
    this.held.delete(tag);
    const { keys } = this.ctx;
    // DONE is idempotent (it decrements only what it removed): retried while the server is away.
    this.command(DONE, [keys.processing(this.ctx.consumer), keys.unfinished], [h.entry, joinable ? '1' : '0', keys.drained], DONE_RETRIES);
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    const args: Buffer[] = [];
    for (const d of deliveries) {
      const h = this.held.get(d.tag);
      if (!h) continue;
      this.held.delete(d.tag);
      args.push(h.entry, withAttempts(h.entry, h.attempts + (d.tag === failed ? 1 : 0)));
    }
    if (args.length > 0) this.giveBack(args);
  }

  /** Every waiting get fails with `error` (the connection is gone). */
  failAll(error: Error): void {
    for (const g of this.gets.splice(0)) {
      if (g.done) continue;
      g.done = true;
      g.deadline?.unsubscribe();
      g.listener.failed(error);
    }
    this.ctx.busyChanged();
  }

  /** The queue ended: a blocked BLMOVE is woken to see it. */
  onEnded(): void {
    this.endHint = true;
    this.unblock();
  }

  /** This handle closes: what it holds goes back to the head (LEAVE), and it is no consumer any more. */
  async leave(): Promise<void> {
    this.held.clear();
    const conns = this.ctx.connections.now;
    if (!conns) return;
    const { keys, consumer } = this.ctx;
    this.unblock();
    await conns.cmd
      .run(LEAVE, [keys.consumers, keys.heartbeat(consumer), keys.processing(consumer), keys.items], [consumer])
      .catch((e) => this.ctx.report(e));
  }

  private soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private withdraw(g: PendingGet<T>): boolean {
    if (g.done) return false;
    g.done = true;
    g.deadline?.unsubscribe();
    const i = this.gets.indexOf(g);
    if (i >= 0) this.gets.splice(i, 1);
    this.ctx.busyChanged();
    // A BLMOVE with nobody left to serve ends now (what it moved, if anything, goes back).
    if (this.gets.length === 0) this.unblock();
    return true;
  }

  private unblock(): void {
    if (this.blockedOn === undefined || this.unblocking) return;
    this.unblocking = true;
    const id = this.blockedOn;
    const conns = this.ctx.connections.now;
    const attempt = (tries: number): void => {
      if (!conns || this.blockedOn !== id) {
        this.unblocking = false;
        return;
      }
      conns.cmd.clientUnblock(id).then(
        (woke) => {
          // Not blocked yet (the BLMOVE has not reached the server): try again shortly.
          if (!woke && this.blockedOn === id && tries < 200) setTimeout(() => attempt(tries + 1), 5);
          else this.unblocking = false;
        },
        () => {
          this.unblocking = false;
        },
      );
    };
    attempt(0);
  }

  private pump(): void {
    if (this.inflight) return;
    if (this.reclaimNeeded) return this.reclaim();
    if (this.gets.length === 0) return;
    const count = Math.min(this.gets.length, BATCH);
    this.inflight = true;
    const { keys } = this.ctx;
    // Always into the processing list: a plain get's entry leaves it once handed over (a reply lost on
    // the way then leaves the entry where `reclaim` finds it, never nowhere).
    const take = (cmd: RedisConnection) =>
      cmd.run(
        TAKE,
        [keys.items, keys.processing(this.ctx.consumer), keys.ended, keys.wake],
        [boundArg(this.ctx.maxsize), '1', String(count)],
      );
    const conns = this.ctx.connections.now;
    const sent = conns ? take(conns.cmd) : this.ctx.connections.ready().then((c) => take(c.cmd));
    sent.then(
      (reply) => this.taken(reply as [number, ...Buffer[]]),
      (error: Error) => this.broke(error),
    );
  }

  /** A command of a get failed: the gets waiting fail with it, and what the server may have moved meanwhile is reclaimed. */
  private broke(error: Error): void {
    this.inflight = false;
    if (this.ctx.connections.closed) return;
    this.reclaimNeeded = true;
    this.failAll(error);
    this.pump();
  }

  /**
   * Entries in this consumer's processing list that it does not hold (moved
   * by a command whose reply was lost) go back to the head. Runs only while
   * no take is on its way, so that every entry it holds is known; tried
   * again while the server is away.
   */
  private reclaim(): void {
    this.inflight = true;
    const { keys } = this.ctx;
    const held = [...this.held.values()].map((h) => h.entry);
    const run = (cmd: RedisConnection) => cmd.run(RECLAIM, [keys.processing(this.ctx.consumer), keys.items], held);
    const conns = this.ctx.connections.now;
    const sent = conns ? run(conns.cmd) : this.ctx.connections.ready().then((c) => run(c.cmd));
    this.ctx.track(sent).then(
      () => {
        this.reclaimNeeded = false;
        this.reclaimTries = 0;
        this.inflight = false;
        this.pump();
      },
      (error: Error) => {
        this.inflight = false;
        this.failAll(error);
        if (this.ctx.connections.closed || ++this.reclaimTries > DONE_RETRIES) {
          this.reclaimNeeded = false;
          this.ctx.report(error);
          return;
        }
        setTimeout(() => this.pump(), 100).unref();
      },
    );
  }

  private reclaimNeeded = false;
  private reclaimTries = 0;

  private taken(reply: [number, ...Buffer[]]): void {
    const [kind, ...rest] = reply;
    if (kind === 1) {
      this.inflight = false;
      this.hand(rest, false);
      this.pump();
      return;
    }
    if (kind === 2) {
      this.inflight = false;
      this.endError ??= this.decodeEnd(rest[0] as Buffer);
      for (const g of this.gets.splice(0)) {
        if (g.done) continue;
        g.done = true;
        g.deadline?.unsubscribe();
        g.listener.ended();
      }
      this.ctx.busyChanged();
      return;
    }
    // Nothing there: a non-blocking get fails now, the others wait in a BLMOVE.
    for (const g of [...this.gets]) {
      if (g.timeout === 0 && this.withdraw(g)) g.listener.failed(new Empty(0));
    }
    if (this.gets.length === 0) {
      this.inflight = false;
      return;
    }
    void this.block();
  }

  private async block(): Promise<void> {
    const { keys, consumer } = this.ctx;
    let entry: Buffer | null;
    try {
      const { conn, id } = await this.ctx.connections.blocker('get');
      if (this.gets.length === 0 || this.endHint) {
        this.endHint = false;
        this.inflight = false;
        this.pump();
        return;
      }
      this.blockedOn = id;
      try {
        entry = await conn.blmove(keys.items, keys.processing(consumer), BLOCK_CHUNK_S);
      } finally {
        this.blockedOn = undefined;
      }
    } catch (error) {
      // Its client id changes if it reconnects: the next block gets a connection of its own again.
      this.ctx.connections.dropBlocker('get');
      this.broke(error as Error);
      return;
    }
    this.inflight = false;
    if (entry) this.hand([entry], true);
    this.pump();
  }

  /**
   * Entries taken into the processing list, handed to the waiting gets in
   * order; those left over go back to the head. A plain get's entry then
   * leaves the processing list (DROP), as does one rxmp did not write (FOREIGN).
   */
  private hand(entries: Buffer[], moved: boolean): void {
    const { keys } = this.ctx;
    const back: Buffer[] = [];
    const drop: Buffer[] = [];
    for (const entry of entries) {
      const g = this.gets.find((x) => !x.done);
      if (!g) {
        back.push(entry, entry);
        continue;
      }
      this.gets.splice(this.gets.indexOf(g), 1);
      g.done = true;
      g.deadline?.unsubscribe();
      let decoded: { item: T; attempts: number };
      try {
        decoded = decodeEntry<T>(entry);
      } catch (cause) {
        this.command(FOREIGN, [keys.processing(this.ctx.consumer), keys.foreign], [entry, '1']);
        g.listener.failed(new ForeignItemError(this.ctx.name, keys.items, keys.foreign, entry, cause));
        continue;
      }
      const tag = this.nextTag++;
      if (g.keep) this.held.set(tag, { entry, attempts: decoded.attempts });
      else drop.push(entry);
      g.listener.delivered(decoded.item, tag);
    }
    // After a BLMOVE a bounded queue wakes a putter here (TAKE does it itself).
    const hint = moved && this.ctx.maxsize !== Infinity;
    if (drop.length > 0 || hint) {
      this.command(MOVED, [keys.processing(this.ctx.consumer), '', '', keys.wake], [boundArg(this.ctx.maxsize), hint ? '1' : '0', ...drop]);
    }
    this.ctx.busyChanged();
    if (back.length > 0) this.giveBack(back);
  }

  private giveBack(pairs: Buffer[]): void {
    const { keys } = this.ctx;
    this.command(RETURN, [keys.processing(this.ctx.consumer), keys.items], pairs);
  }

  /** Runs `script` with nothing waiting on it; `retries`: how often to try again, 100 ms apart, if it fails. */
  private command(script: LuaScript, k: string[], a: Arg[], retries = 0): void {
    const conns = this.ctx.connections.now;
    const run = conns ? conns.cmd.run(script, k, a) : this.ctx.connections.ready().then((c) => c.cmd.run(script, k, a));
    this.ctx.track(run).catch((e) => {
      if (retries > 0 && !this.ctx.connections.closed) {
        setTimeout(() => this.command(script, k, a, retries - 1), 100).unref();
      } else this.ctx.report(e);
    });
  }
}
