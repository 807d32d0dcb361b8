import type { Cancel, Delivery, GetListener } from '../core/listeners.js';
import { NOTHING } from '../core/queue/bounded-fifo.js';
import { Empty } from '../errors.js';
import { decodeEntry } from './entry-codec.js';
import type { RedisConnection } from './port.js';
import { BlockingMove } from './blocking-move.js';
import { FetchAhead } from './fetch-ahead.js';
import { perTurn } from './per-turn.js';
import { ProcessingList } from './processing-list.js';
import { Reclaim } from './reclaim.js';
import { boundArg, type RedisContext } from './redis-context.js';
import { ForeignItemError } from './redis-error.js';
import { FOREIGN, LEAVE, TAKE } from './scripts.js';
import { type PendingGet, WaitingGets } from './waiting-gets.js';

const BATCH = 256;

/**
 * The consumer half of a Redis endpoint: gets of one handle, served in
 * order; those waiting together take in one TAKE script; when nothing is
 * there the oldest blocks in a BLMOVE on the handle's get connection.
 *
 * While a stream is attached (`observe`, an async iterator, `consume`) the
 * handle fetches up to its `prefetch` entries ahead in the same TAKE, into
 * its processing list (counted in `P:ahead`, so the bound still holds), and
 * serves the next gets from them at once; they go back to the head when the
 * last stream detaches or the handle closes (see `fetch-ahead.ts`; the
 * waiting gets are in `waiting-gets.ts`, the BLMOVE in `blocking-move.ts`,
 * the reclaim after a failed get in `reclaim.ts`).
 */
export class RedisConsumer<T> {
  private readonly gets: WaitingGets<T>;
  private inflight = false;
  private readonly list: ProcessingList<T>;
  private readonly ahead: FetchAhead;
  private readonly blocking: BlockingMove;
  private readonly reclaimer: Reclaim;
  private readonly soon = perTurn(() => this.pump());
  /** The error the queue ended on, once known (see `QueueEndpoint.endError`). */
  endError: Error | undefined;
  /** The tag of the item `tryGet` returned last. */
  lastTag = 0;

  constructor(
    private readonly ctx: RedisContext,
    private readonly decodeEnd: (how: Buffer) => Error | undefined,
  ) {
    this.list = new ProcessingList<T>(ctx);
    // A BLMOVE with nobody left to serve ends now (what it moved, if anything, goes back).
    this.gets = new WaitingGets<T>(ctx, () => this.blocking.unblock());
    this.ahead = new FetchAhead(this.list);
    this.blocking = new BlockingMove(ctx, {
      wanted: () => this.gets.length > 0,
      moved: (entry) => this.moved(entry),
      failed: (error) => this.broke(error),
    });
    this.reclaimer = new Reclaim(ctx, this.list, {
      reclaimed: () => {
        this.inflight = false;
        this.pump();
      },
      failed: (error) => {
        this.inflight = false;
        this.failAll(error);
      },
      again: () => this.pump(),
    });
  }

  get waiting(): number {
    return this.gets.length;
  }

  attach(prefetch: number): () => void {
    return this.ahead.attach(prefetch);
  }

  /** The fast path: an entry fetched ahead, handed over now (`lastTag` names it), or `NOTHING`. */
  tryGet(returnable: boolean): T | typeof NOTHING {
    const entry = this.ahead.peek();
    if (entry === undefined || this.gets.length > 0) return NOTHING;
    let decoded: { item: T; attempts: number };
    try {
      decoded = decodeEntry<T>(entry);
    } catch {
      return NOTHING; // the get that follows meets it, and fails with ForeignItemError
    }
    this.ahead.shift();
    this.lastTag = this.list.deliver(entry, decoded.attempts, this.ctx.joinable || returnable);
    this.afterBuffered();
    return decoded.item;
  }

  get(listener: GetListener<T>, timeout: number | undefined, returnable: boolean): Cancel | undefined {
    const keep = this.ctx.joinable || returnable;
    if (this.ahead.entries.length > 0 && this.gets.length === 0) {
      const entry = this.ahead.shift();
      this.handOne(entry, { listener, timeout, keep, done: true, deadline: undefined });
      this.afterBuffered();
      return undefined;
    }
    // Others of this handle already wait (their BLMOVE blocked, or still on its way): whatever comes is
    // theirs first, so a get that must not wait finds nothing. Waiting behind them cost it a whole BLMOVE
    // chunk (2 s) when their BLMOVE had not blocked yet, as on a loaded machine.
    if (timeout === 0 && (this.blocking.blocked || this.gets.length > 0)) {
      listener.failed(new Empty(0));
      return undefined;
    }
    const g = this.gets.add(listener, timeout, keep);
    this.ctx.busyChanged();
    this.soon();
    return () => this.gets.withdraw(g);
  }

  attempts(tag: number): number {
    return this.list.attempts(tag);
  }

  /** The oldest delivery held (JoinableQueue's `taskDone()` without a tag). */
  oldest(): number | undefined {
    return this.list.oldest();
  }

  has(tag: number): boolean {
    return this.list.has(tag);
  }

  /** Done (JoinableQueue) or settled (plain): the entry leaves the processing list. */
  finish(tag: number, joinable: boolean): void {
    this.list.finish(tag, joinable);
  }

  requeue(deliveries: readonly Delivery<T>[], failed?: number): void {
    this.list.requeue(deliveries, failed, this.ahead.entries);
  }

  /** Every waiting get fails with `error` (the connection is gone). */
  failAll(error: Error): void {
    this.gets.settleAll((listener) => listener.failed(error));
  }

  /** The queue ended: a blocked BLMOVE is woken to see it. */
  onEnded(): void {
    this.blocking.ended();
  }

  /** This handle closes: what it holds goes back to the head (LEAVE), and it is no consumer any more. */
  async leave(): Promise<void> {
    this.list.clear();
    this.ahead.clear();
    const conns = this.ctx.connections.now;
    if (!conns) return;
    const { keys, consumer } = this.ctx;
    this.blocking.unblock();
    // A heartbeat after the LEAVE would make this consumer a member again, with nobody left to reap it.
    this.ctx.connections.stopBeating();
    await conns.cmd
      .run(LEAVE, [keys.consumers, keys.heartbeat(consumer), keys.processing(consumer), keys.items, keys.ahead, keys.departed], [consumer])
      .catch((e) => this.ctx.report(e));
  }

  /** After a get was served from the entries fetched ahead: the server hears of it, and the window is topped up. */
  private afterBuffered(): void {
    this.list.scheduleMoved();
    if (this.ahead.attached && this.ahead.low) this.soon();
  }

  private pump(): void {
    if (this.inflight) return;
    if (this.reclaimer.needed) return this.reclaim();
    // Gets that came while entries were fetched ahead take those first (paired up before any is
    // told: a listener may call back in).
    const pairs: [Buffer, PendingGet<T>][] = [];
    while (this.ahead.entries.length > 0 && this.gets.length > 0) {
      pairs.push([this.ahead.shift(), this.gets.shift()]);
    }
    if (pairs.length > 0) {
      this.list.scheduleMoved();
      for (const [entry, g] of pairs) this.handOne(entry, g);
      this.ctx.busyChanged();
      if (this.inflight) return;
    }
    const ahead = this.ahead.wanted;
    // Topping up only when the window is half empty: one TAKE brings many.
    const topUp = this.gets.length === 0 && ahead > 0 && this.ahead.low;
    if (this.gets.length === 0 && !topUp) return;
    const handed = Math.min(this.gets.length, BATCH);
    const count = handed + (this.gets.length > 0 || topUp ? ahead : 0);
    this.inflight = true;
    this.list.startTaking();
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
    this.list.tookBack();
    if (this.ctx.connections.closed) return;
    this.reclaimer.needed = true;
    this.failAll(error);
    this.pump();
  }

  /** What the server may have moved with a lost reply goes back (see `reclaim.ts`); no take leaves meanwhile. */
  private reclaim(): void {
    this.inflight = true;
    this.reclaimer.run(this.ahead.entries);
  }

  private taken(reply: [number, ...Buffer[]], handed: number): void {
    const [kind, ...rest] = reply;
    if (kind === 1) {
      this.inflight = false;
      // The server counted all but the first `handed` as fetched ahead.
      this.list.delta -= Math.max(0, rest.length - handed);
      // Its leftovers go back first: what was given back meanwhile is older, and goes in front of them.
      this.hand(rest);
      this.list.tookBack();
      this.pump();
      return;
    }
    this.list.tookBack();
    if (kind === 2) {
      this.inflight = false;
      this.endError ??= this.decodeEnd(rest[0] as Buffer);
      this.gets.settleAll((listener) => listener.ended());
      return;
    }
    // Nothing there: a non-blocking get fails now, the others wait in a BLMOVE.
    this.gets.failNonBlocking();
    if (this.gets.length === 0) {
      this.inflight = false;
      return;
    }
    void this.blocking.block();
  }

  /** The BLMOVE answered (see `blocking-move.ts`): what it moved, if anything, to the waiting gets. */
  private moved(entry: Buffer | null): void {
    this.inflight = false;
    if (entry) {
      // A BLMOVE frees room in a bounded queue like a TAKE: a putter is woken.
      this.list.hint();
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
    const room = this.ahead.room;
    let kept = 0;
    // Every entry finds its place before any listener is told: a listener may call back in
    // (a failed run's requeue must find the entries fetched ahead already in the window).
    const deliveries: [Buffer, PendingGet<T>][] = [];
    for (const entry of entries) {
      const g = this.gets.next();
      if (g) {
        deliveries.push([entry, g]);
      } else if (kept < room) {
        this.ahead.keep(entry);
        kept++;
      } else back.push(entry, entry);
    }
    if (back.length > 0) this.list.giveBack(back, 0);
    this.list.scheduleMoved();
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
      this.list.command(FOREIGN, [keys.processing(this.ctx.consumer), keys.foreign], [entry, '1']);
      g.listener.failed(new ForeignItemError(this.ctx.name, keys.items, keys.foreign, entry, cause));
      return;
    }
    const tag = this.list.deliver(entry, decoded.attempts, g.keep);
    g.listener.delivered(decoded.item, tag);
  }
}
