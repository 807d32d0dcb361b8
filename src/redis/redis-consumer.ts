import type { Subscription } from 'rxjs';
import type { Cancel, Delivery, GetListener } from '../core/listeners.js';
import { NOTHING } from '../core/queue/bounded-fifo.js';
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
/** The most a stream fetches ahead, whatever its `prefetch` (`Infinity` included). */
const MAX_AHEAD = 256;
/** How often a command that met a missing server is tried again (100 ms apart: about as long as a connection tries to come back). */
const RETRIES = 150;
/** How long one BLMOVE blocks before the handle looks again (seconds): bounds how late a missed `ended` is seen. */
const BLOCK_CHUNK_S = 2;

/**
 * The consumer half of a Redis endpoint: gets of one handle, served in
 * order; those waiting together take in one TAKE script; when nothing is
 * there the oldest blocks in a BLMOVE on the handle's get connection.
 *
 * While a stream is attached (`observe`, an async iterator, `consume`) the
 * handle fetches up to its `prefetch` entries ahead in the same TAKE, into
 * its processing list (counted in `P:ahead`, so the bound still holds), and
 * serves the next gets from them at once; they go back to the head when the
 * last stream detaches or the handle closes.
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
  /** Entries fetched ahead, oldest first: in the processing list, counted in `P:ahead`. */
  private readonly fetched: Buffer[] = [];
  /** The windows of the streams attached now. */
  private readonly windows: number[] = [];
  /** Plain gets' entries handed over, and the change of the count ahead, not yet told to the server (see `flushMoved`). */
  private dropped: Buffer[] = [];
  private aheadDelta = 0;
  private hintPending = false;
  private moveScheduled = false;
  private reclaimNeeded = false;
  private reclaimTries = 0;
  /** A TAKE is on its way: what is given back meanwhile waits for it (its leftovers belong behind). */
  private taking = false;
  private deferred: { pairs: Buffer[]; ahead: number } | undefined;
  /** The error the queue ended on, once known (see `QueueEndpoint.endError`). */
  endError: Error | undefined;
  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  constructor(
    private readonly ctx: RedisContext,
    private readonly decodeEnd: (how: Buffer) => Error | undefined,
  ) {}

  get waiting(): number {
    return this.gets.length;
  }

  /** How many entries a TAKE may fetch ahead now. */
  private get window(): number {
    let most = 0;
    for (const w of this.windows) if (w > most) most = w;
    return Math.min(most, MAX_AHEAD);
  }

  attach(prefetch: number): () => void {
    this.windows.push(prefetch);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.windows.splice(this.windows.indexOf(prefetch), 1);
      if (this.windows.length === 0) this.giveBackFetched();
    };
  }

  /** The fast path: an entry fetched ahead, handed over now (`lastTag` names it), or `NOTHING`. */
  tryGet(returnable: boolean): T | typeof NOTHING {
    if (this.fetched.length === 0 || this.gets.length > 0) return NOTHING;
    const entry = this.fetched[0] as Buffer;
    let decoded: { item: T; attempts: number };
    try {
      decoded = decodeEntry<T>(entry);
    } catch {
      return NOTHING; // the get that follows meets it, and fails with ForeignItemError
    }
    this.fetched.shift();
    this.aheadDelta--;
    this.lastTag = this.deliver(entry, decoded.attempts, this.ctx.joinable || returnable);
    this.afterBuffered();
    return decoded.item;
  }

  get(listener: GetListener<T>, timeout: number | undefined, returnable: boolean): Cancel | undefined {
    const keep = this.ctx.joinable || returnable;
    if (this.fetched.length > 0 && this.gets.length === 0) {
      const entry = this.fetched.shift() as Buffer;
      this.aheadDelta--;
      this.handOne(entry, { listener, timeout, keep, done: true, deadline: undefined });
      this.afterBuffered();
      return undefined;
    }
    // Others of this handle already wait on an empty queue: a get that must not wait finds nothing either.
    if (timeout === 0 && this.blockedOn !== undefined) {
      listener.failed(new Empty(0));
      return undefined;
    }
    const g: PendingGet<T> = { listener, timeout, keep, done: false, deadline: undefined };
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
    this.command(DONE, [keys.processing(this.ctx.consumer), keys.unfinished], [h.entry, joinable ? '1' : '0', keys.drained], RETRIES);
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    const pairs: Buffer[] = [];
    for (const d of deliveries) {
      const h = this.held.get(d.tag);
      if (!h) continue;
      this.held.delete(d.tag);
      pairs.push(h.entry, withAttempts(h.entry, h.attempts + (d.tag === failed ? 1 : 0)));
    }
    if (pairs.length === 0) return;
    // Back to the front of the queue means before what this handle fetched ahead too: those go back behind them.
    const ahead = this.fetched.length;
    for (const entry of this.fetched.splice(0)) pairs.push(entry, entry);
    this.giveBack(pairs, ahead);
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
    this.fetched.length = 0;
    this.dropped = [];
    this.deferred = undefined;
    const conns = this.ctx.connections.now;
    if (!conns) return;
    const { keys, consumer } = this.ctx;
    this.unblock();
    await conns.cmd
      .run(LEAVE, [keys.consumers, keys.heartbeat(consumer), keys.processing(consumer), keys.items, keys.ahead], [consumer])
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

  /** After a get was served from the entries fetched ahead: the server hears of it, and the window is topped up. */
  private afterBuffered(): void {
    this.scheduleMoved();
    if (this.windows.length > 0 && this.fetched.length <= this.window / 2) this.soon();
  }

  private pump(): void {
    if (this.inflight) return;
    if (this.reclaimNeeded) return this.reclaim();
    // Gets that came while entries were fetched ahead take those first (paired up before any is
    // told: a listener may call back in).
    const pairs: [Buffer, PendingGet<T>][] = [];
    while (this.fetched.length > 0 && this.gets.length > 0) {
      this.aheadDelta--;
      pairs.push([this.fetched.shift() as Buffer, this.gets.shift() as PendingGet<T>]);
    }
    if (pairs.length > 0) {
      this.scheduleMoved();
      for (const [entry, g] of pairs) this.handOne(entry, g);
      this.ctx.busyChanged();
      if (this.inflight) return;
    }
    const ahead = this.windows.length > 0 ? Math.max(0, this.window - this.fetched.length) : 0;
    // Topping up only when the window is half empty: one TAKE brings many.
    const topUp = this.gets.length === 0 && ahead > 0 && this.fetched.length <= this.window / 2;
    if (this.gets.length === 0 && !topUp) return;
    const handed = Math.min(this.gets.length, BATCH);
    const count = handed + (this.gets.length > 0 || topUp ? ahead : 0);
    this.inflight = true;
    this.taking = true;
    const { keys, consumer } = this.ctx;
    const take = (cmd: RedisConnection) =>
      cmd.run(
        TAKE,
        [keys.items, keys.processing(consumer), keys.ended, keys.wake, keys.ahead],
        [boundArg(this.ctx.maxsize), '1', String(count), String(handed), consumer],
      );
    const conns = this.ctx.connections.now;
    const sent = conns ? take(conns.cmd) : this.ctx.connections.ready().then((c) => take(c.cmd));
    this.ctx.track(sent).then(
      (reply) => this.taken(reply as [number, ...Buffer[]], handed),
      (error: Error) => this.broke(error),
    );
  }

  /** A command of a get failed: the gets waiting fail with it, and what the server may have moved meanwhile is reclaimed. */
  private broke(error: Error): void {
    this.inflight = false;
    this.tookBack();
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
    const { keys, consumer } = this.ctx;
    const holds = [...this.fetched, ...this.dropped, ...[...this.held.values()].map((h) => h.entry)];
    const args = [consumer, String(this.fetched.length), ...holds];
    const run = (cmd: RedisConnection) => cmd.run(RECLAIM, [keys.processing(consumer), keys.items, keys.ahead], args);
    const conns = this.ctx.connections.now;
    const sent = conns ? run(conns.cmd) : this.ctx.connections.ready().then((c) => run(c.cmd));
    this.ctx.track(sent).then(
      () => {
        this.reclaimNeeded = false;
        this.reclaimTries = 0;
        this.aheadDelta = 0;
        this.inflight = false;
        this.pump();
      },
      (error: Error) => {
        this.inflight = false;
        this.failAll(error);
        if (this.ctx.connections.closed || ++this.reclaimTries > RETRIES) {
          this.reclaimNeeded = false;
          this.ctx.report(error);
          return;
        }
        setTimeout(() => this.pump(), 100).unref();
      },
    );
  }

  private taken(reply: [number, ...Buffer[]], handed: number): void {
    const [kind, ...rest] = reply;
    if (kind === 1) {
      this.inflight = false;
      // The server counted all but the first `handed` as fetched ahead.
      this.aheadDelta -= Math.max(0, rest.length - handed);
      this.taking = false;
      // Its leftovers go back first: what was given back meanwhile is older, and goes in front of them.
      this.hand(rest);
      this.tookBack();
      this.pump();
      return;
    }
    this.tookBack();
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
    if (entry) {
      // A BLMOVE frees room in a bounded queue like a TAKE: a putter is woken.
      this.hintPending = true;
      this.hand([entry]);
    }
    this.pump();
  }

  /**
   * Entries just taken into the processing list (the server counted them
   * as handed): to the waiting gets in order, then into the window of an
   * attached stream, and what is left goes back to the head.
   */
  private hand(entries: Buffer[]): void {
    const back: Buffer[] = [];
    const room = this.windows.length > 0 ? this.window - this.fetched.length : 0;
    let kept = 0;
    // Every entry finds its place before any listener is told: a listener may call back in
    // (a failed run's requeue must find the entries fetched ahead already in the window).
    const deliveries: [Buffer, PendingGet<T>][] = [];
    for (const entry of entries) {
      const g = this.gets.find((x) => !x.done);
      if (g) {
        this.gets.splice(this.gets.indexOf(g), 1);
        g.done = true;
        deliveries.push([entry, g]);
      } else if (kept < room) {
        this.fetched.push(entry);
        this.aheadDelta++;
        kept++;
      } else back.push(entry, entry);
    }
    if (back.length > 0) this.giveBack(back, 0);
    this.scheduleMoved();
    for (const [entry, g] of deliveries) this.handOne(entry, g);
    this.ctx.busyChanged();
  }

  /** One entry to one get: decoded and delivered (held until done, or dropped from the processing list), or refused as foreign. */
  private handOne(entry: Buffer, g: PendingGet<T>): void {
    g.done = true;
    g.deadline?.unsubscribe();
    let decoded: { item: T; attempts: number };
    try {
      decoded = decodeEntry<T>(entry);
    } catch (cause) {
      const { keys } = this.ctx;
      this.command(FOREIGN, [keys.processing(this.ctx.consumer), keys.foreign], [entry, '1']);
      g.listener.failed(new ForeignItemError(this.ctx.name, keys.items, keys.foreign, entry, cause));
      return;
    }
    const tag = this.deliver(entry, decoded.attempts, g.keep);
    g.listener.delivered(decoded.item, tag);
  }

  /** Records a delivery: held (its entry stays in the processing list) or dropped from the list soon. */
  private deliver(entry: Buffer, attempts: number, keep: boolean): number {
    const tag = this.nextTag++;
    if (keep) this.held.set(tag, { entry, attempts });
    else {
      this.dropped.push(entry);
      this.scheduleMoved();
    }
    return tag;
  }

  /** Tells the server, once per turn, which plain entries were handed over and how the count ahead changed (MOVED). */
  private scheduleMoved(): void {
    if (this.moveScheduled) return;
    if (this.dropped.length === 0 && this.aheadDelta === 0 && !this.hintPending) return;
    this.moveScheduled = true;
    queueMicrotask(() => {
      this.moveScheduled = false;
      this.flushMoved();
    });
  }

  private flushMoved(): void {
    const drop = this.dropped;
    const delta = this.aheadDelta;
    const hint = this.hintPending;
    if (drop.length === 0 && delta === 0 && !hint) return;
    this.dropped = [];
    this.aheadDelta = 0;
    this.hintPending = false;
    const { keys, consumer } = this.ctx;
    this.command(
      MOVED,
      [keys.processing(consumer), keys.ahead, '', keys.wake],
      [boundArg(this.ctx.maxsize), hint ? '1' : '0', String(delta), consumer, ...drop],
    );
  }

  /** Entries fetched ahead that no stream wants any more go back to the head, in order. */
  private giveBackFetched(): void {
    if (this.fetched.length === 0) return;
    const pairs: Buffer[] = [];
    for (const entry of this.fetched.splice(0)) pairs.push(entry, entry);
    this.giveBack(pairs, pairs.length / 2);
  }

  /** The TAKE on its way has answered: what was given back meanwhile goes now. */
  private tookBack(): void {
    this.taking = false;
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred) this.giveBack(deferred.pairs, deferred.ahead);
  }

  /** (held, back) pairs to the head, oldest first; `ahead`: how many were counted as fetched ahead. */
  private giveBack(pairs: Buffer[], ahead: number): void {
    if (this.taking) {
      // Later pairs are older (they were given back after): in front.
      if (this.deferred) this.deferred = { pairs: [...pairs, ...this.deferred.pairs], ahead: this.deferred.ahead + ahead };
      else this.deferred = { pairs, ahead };
      return;
    }
    const { keys, consumer } = this.ctx;
    // Counted ahead so far: what this handle has not yet told the server of goes with it.
    const pending = this.aheadDelta;
    this.aheadDelta = 0;
    this.command(RETURN, [keys.processing(consumer), keys.items, keys.ahead], [consumer, String(ahead - pending), ...pairs]);
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
