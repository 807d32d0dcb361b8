import { coalesce, encodeFrames } from '../../wire/batch.js';
import { DEFAULT_MAX_FRAME } from '../../wire/framing.js';
import { sizeOf } from '../../wire/item-size.js';
import type { Message } from '../../wire/protocol/index.js';
import type { PipeMessage } from '../../core/pipe/pipe-channel.js';
import { reportDropped } from './dropped-messages.js';
import type { SharedWords } from './shared-words.js';
import { flushEveryLinkAtExit } from './exit-flush.js';

export type MessageHandler = (message: Message, link: Link) => void;
export type CloseHandler = (link: Link, reason: Error | undefined) => void;

/**
 * A pending batch this many messages and items long is written at once,
 * without waiting for the end of the turn: a producer that never yields
 * (`for (…) await q.put(i)` resolves from credits, in microtasks) still
 * writes, in frames of about this size. Measured with `npm run bench`
 * (`queue-fork-ints`, `queue-thread-ints`, `joinable-2`, and the unbounded
 * fork queue `queue-throughput.js fork ints 1000000 0`): larger batches gain
 * nothing beyond 1,024 items per write, smaller ones cost syscalls.
 */
export const FLUSH_ITEMS = 1024;

/**
 * A pending batch of about this many bytes is written at once too, so that
 * big items go out one or a few per frame (their memory freed as they go)
 * instead of piling up into a frame larger than the limit.
 */
export const FLUSH_BYTES = 1024 * 1024;

/** How far back an ack looks for its queue's ack to fold into (see `lastAckOf`). */
const ACK_LOOKBACK = 4;

/**
 * Messages a put or pipe message written through (see `writesThrough`) may
 * overtake while they wait for the end of the turn: what they say concerns
 * other deliveries and slots (an ack or done of what this side consumed, a
 * fetch, a credit or items of a queue this side owns), so nothing the peer
 * does with the put depends on having them first, and moving a put ahead
 * of a `done` only keeps a task open a moment longer. A consumer that puts
 * a result for each item it takes (the task-pool shape) thus writes each
 * result through and sends its acks once per turn, instead of one frame
 * per item (`npm run bench` task-pool on thread rings: one frame per item
 * without this).
 */
const OVERTAKEN = new Set<string>(['ack', 'done', 'fetch', 'credit', 'items']);

/**
 * May a message written through overtake `message` (see `OVERTAKEN`)? Not a
 * `fetch` marked `try`: the owner answers it from the queue as it is on
 * arrival, so a put of this side's overtaking it would be in the answer
 * (`getNowait()` then `put()` on one handle got the item put after it).
 */
function overtaken(message: Message): boolean {
  return OVERTAKEN.has(message.t) && !(message.t === 'fetch' && message.try === true);
}

export interface LinkOptions {
  /** The largest frame this link writes (and, on a socket, accepts). Default 256 MiB. */
  maxFrame?: number;
}

/**
 * A message channel between two runtimes (processes or threads). Sends are
 * queued and written as one batch per event-loop turn, or sooner once the
 * batch is large (see `FLUSH_ITEMS`), split into frames under the limit;
 * delivery is in order. A link may still be connecting: sends wait for it.
 * What is still queued when the process exits is written then (see
 * `exit-flush`). Writing never throws: a message that cannot be encoded is
 * reported as an `RxmpWarning` (code `RXMP_ENCODE_FAILED`) and dropped.
 */
export abstract class Link {
  /** The peer runtime's id, once it said hello. */
  peerId: string | undefined;
  private pending: Message[] = [];
  /** Messages and items in `pending`, and about how many bytes they take. */
  private pendingCount = 0;
  private pendingBytes = 0;
  /** Of the pending messages, how many a message written through must not overtake (see `OVERTAKEN`). */
  private pendingOrdered = 0;
  private scheduled = false;
  private closedFlag = false;
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly closeHandlers: CloseHandler[] = [];
  /** Called after every batch this link has written so far has left (see `drained`). */
  private drainWaiters: (() => void)[] = [];
  protected ready = false;
  /** Set by `fail`: from then on nothing is delivered or written. */
  protected failure: Error | undefined;
  protected readonly maxFrame: number;

  constructor(options: LinkOptions = {}) {
    this.maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
    flushEveryLinkAtExit(this);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: CloseHandler): void {
    this.closeHandlers.push(handler);
  }

  /**
   * Queues `message` for the next batch, folding it into the message queued
   * just before when they are the same kind (see `coalesce`): do not touch a
   * message after sending it. Dropped once the link is closed or failed (the
   * close handlers tell).
   */
  send(message: Message): void {
    if (this.closedFlag || this.failure) return;
    const last = message.t === 'ack' ? this.lastAckOf(message.q) : this.pending[this.pending.length - 1];
    // A message folded into the one before it is no new message (its items still count, below).
    if (last === undefined || !coalesce(last, message)) {
      this.pending.push(message);
      this.pendingCount++;
      if (!overtaken(message)) this.pendingOrdered++;
    }
    const values = message.t === 'pdata' ? message.data : message.t === 'put' || message.t === 'items' ? message.items : undefined;
    if (values) {
      this.pendingCount += values.length;
      for (const v of values) this.pendingBytes += sizeOf(v);
    }
    this.queued();
  }

  /**
   * Appends `item` to the `put` message for queue `q` queued just before —
   * or, given its delivery `tag`, to the `items` message that leases the tags
   * just before it — allocating a new message only when there is none to
   * extend (the hot path of a steady stream allocates nothing per item here).
   * A leased item with unfinished `attempts` goes in an `items` message of
   * its own, which nothing folds into (see the queue protocol: Attempts).
   */
  sendItem(t: 'put' | 'items', q: string, item: unknown, tag = 0, attempts = 0): void {
    if (this.closedFlag || this.failure) return;
    if (attempts > 0) {
      this.send({ t: 'items', q, tag, items: [item], attempts: [attempts] });
      return;
    }
    const last = this.pending[this.pending.length - 1] as
      | { t: string; q?: string; items?: unknown[]; try?: true; tag?: number; attempts?: number[] }
      | undefined;
    if (
      last &&
      last.t === t &&
      last.q === q &&
      !last.try &&
      (t === 'put' || ((last.tag as number) + (last.items as unknown[]).length === tag && !last.attempts))
    ) {
      (last.items as unknown[]).push(item);
      // The flush at the end of the turn was scheduled with the message; only the thresholds are new.
      this.pendingBytes += typeof item === 'number' ? 9 : sizeOf(item);
      if (++this.pendingCount >= FLUSH_ITEMS || this.pendingBytes >= FLUSH_BYTES) this.queued();
      return;
    }
    this.send(t === 'put' ? { t, q, items: [item] } : { t, q, tag, items: [item] });
  }

  /**
   * Adds `n` to the `credit` message for queue `q` queued just before — or,
   * given the first delivery `tag` it acks, to the `ack` of the tags just
   * before it (see `sendItem`), also across the `done` message queued after
   * that ack: a consumer that acks and marks done item after item then sends
   * one ack and one done per batch, not two messages per item. Moving an ack
   * ahead of dones changes nothing for them (a done needs its item acked,
   * which it now is sooner).
   */
  sendCount(t: 'ack' | 'credit', q: string, n: number, tag = 0): void {
    if (this.closedFlag || this.failure) return;
    type Counted = { t: string; q?: string; n?: number; try?: true; tag?: number; hold?: true };
    const last = (t === 'ack' ? this.lastAckOf(q) : this.pending[this.pending.length - 1]) as Counted | undefined;
    if (
      last &&
      last.t === t &&
      last.q === q &&
      !last.try &&
      (t === 'credit' || (!last.hold && (last.tag as number) + (last.n as number) === tag))
    ) {
      last.n = (last.n as number) + n;
      return;
    }
    this.send(t === 'credit' ? { t, q, n } : { t, q, tag, n });
  }

  /**
   * The `ack` of queue `q` an ack may fold into: the latest message of `q`
   * among the last few queued, if it is an ack, looking past messages of
   * other queues and `q`'s own dones. Moving an ack ahead of them only frees
   * its items' slots sooner (a done needs its item acked, which it then is
   * sooner too); a consumer that acks and marks done, or puts results into
   * another queue, item after item thus sends one ack per batch.
   */
  private lastAckOf(q: string): Message | undefined {
    const pending = this.pending;
    for (let i = pending.length - 1; i >= 0 && i >= pending.length - ACK_LOOKBACK; i--) {
      const m = pending[i] as Message & { q?: string };
      if (m.q !== q) continue;
      if (m.t === 'ack') return m;
      if (m.t !== 'done') return undefined;
    }
    return undefined;
  }

  /** Resolves once every message queued so far has been handed to the OS (or the link closed). */
  drained(): Promise<void> {
    if (this.closedFlag || this.failure || (this.pending.length === 0 && this.settledWrites())) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Whether this link writes to shared memory (see `ring-plane`): writing a
   * message out now is cheap, and what is written survives this process
   * (the peer reads it after a SIGKILL). Puts and pipe sends on such a link
   * resolve only once their message is out (`whenOut`).
   */
  get writesThrough(): boolean {
    return false;
  }

  /**
   * On a link that writes through: writes a put of one item into queue `q`
   * out at once if nothing else waits to be written (so order holds), and
   * tells whether it did; otherwise it is to be sent the usual way. The item
   * is a copy already (`fastClone`), checked.
   */
  tryPutThrough(_q: string, _item: unknown): boolean {
    return false;
  }

  /**
   * On a link that writes through: writes pipe message `seq` toward end `e`
   * of pipe `p` out at once, as `tryPutThrough` does a put.
   */
  trySendThrough(_p: string, _e: number, _seq: number, _message: PipeMessage): boolean {
    return false;
  }

  /** Delivers at once what the peer already wrote where this side reads it without an event (a ring); elsewhere nothing to do. */
  readPending(): void {}

  /** Nothing waits in this link to be written that a message written through must follow (see `OVERTAKEN`). */
  protected get overtakable(): boolean {
    return this.pendingOrdered === 0;
  }

  /**
   * Calls `done(true)` once every message sent on this link so far has left
   * this process (see `flushSync`): the batch is written when the code that
   * sent them yields (a microtask), so a run of sends still goes out as one
   * write. `done(false)` if the link closed or failed first.
   */
  whenOut(done: (out: boolean) => void): void {
    this.outWaiters.push(done);
    if (this.outWaiters.length === 1) queueMicrotask(this.writeOut);
  }

  private outWaiters: ((out: boolean) => void)[] = [];

  private readonly writeOut = (): void => {
    const waiters = this.outWaiters;
    this.outWaiters = [];
    if (this.flushSync()) {
      for (const done of waiters) done(true);
      return;
    }
    // Backed up (the ring is full, or a large frame is still on the socket): once it has all left.
    void this.drained().then(() => {
      const out = !this.closedFlag && !this.failure;
      for (const done of waiters) done(out);
    });
  };

  /** Resolves once this link has closed (by either side). */
  whenClosed(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => this.onClose(() => resolve()));
  }

  /** Flushes what is queued, then closes. */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.flush();
    await this.drained();
    if (!this.closedFlag) this.end();
  }

  /** Writes the queued batch now (what the end-of-turn flush does). */
  readonly flush = (): void => {
    this.scheduled = false;
    this.writePending(false);
  };

  /**
   * Writes everything pending now, and tells whether everything sent on this
   * link so far has left this process: handed to the kernel (a socket),
   * posted (a MessagePort) or delivered (in memory). `false` while some bytes
   * still wait in this process — `drained()` resolves once they have left —
   * and on a link that is still connecting, failed or closed. Cheap when
   * little is pending: one encode and one write.
   */
  flushSync(): boolean {
    if (!this.ready || this.closedFlag || this.failure) return false;
    this.writePending(true);
    return this.pending.length === 0 && !this.unwritten();
  }

  /**
   * Cuts the link off at once: nothing more is delivered from it (not even
   * the rest of the batch being delivered), nothing pending is written, and
   * the close handlers receive `error` once the transport has closed.
   */
  fail(error: Error): void {
    if (this.closedFlag || this.failure) return;
    this.failure = error;
    this.pending = [];
    this.pendingCount = 0;
    this.pendingBytes = 0;
    this.pendingOrdered = 0;
    this.abort(error);
    this.releaseDrainWaiters();
  }

  /** The process is exiting: write what is pending, synchronously, as far as the transport allows. */
  flushAtExit(): void {
    if (!this.ready || this.closedFlag || this.failure) return;
    const { frames, dropped } = encodeFrames(this.takePending(), { header: this.frameHeader, limit: this.maxFrame });
    reportDropped(dropped, true);
    this.writeFramesAtExit(frames);
  }

  private queued(): void {
    if (!this.ready) return;
    // Written at once past the thresholds: a loop that never yields would otherwise never write.
    if (this.pendingCount >= FLUSH_ITEMS || this.pendingBytes >= FLUSH_BYTES) this.writePending(true);
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * Encodes and writes the pending batch. Called from user code (`sync`), the
   * encoder may run out of stack on a deep value: what it could not encode
   * stays pending for the end-of-turn flush, on a fresh stack.
   */
  private writePending(sync: boolean): void {
    if (!this.ready || this.closedFlag || this.failure || this.pending.length === 0) return;
    const batch = this.takePending();
    const { frames, dropped, rest } = encodeFrames(batch, { header: this.frameHeader, limit: this.maxFrame, deferOnOverflow: sync });
    reportDropped(dropped, false);
    if (frames.length > 0) {
      try {
        this.writeFrames(frames);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
    }
    if (rest && rest.length > 0) {
      this.pending = rest.concat(this.pending);
      this.pendingCount += rest.length;
      for (const message of rest) if (!overtaken(message)) this.pendingOrdered++;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    }
    // A transport that hands writes over at once (a port) has no write callback to release them.
    this.releaseDrainWaiters();
  }

  private takePending(): Message[] {
    const batch = this.pending;
    this.pending = [];
    this.pendingCount = 0;
    this.pendingBytes = 0;
    this.pendingOrdered = 0;
    return batch;
  }

  /** Subclasses: the transport is usable; queued sends go out. */
  protected markReady(): void {
    this.ready = true;
    if (this.pending.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Subclasses: a batch arrived. Stops at once if a handler fails the link. */
  protected deliver(messages: readonly Message[]): void {
    for (const message of messages) {
      if (this.closedFlag || this.failure) return;
      if (message.t === 'hello' && this.peerId === undefined) {
        this.peerId = message.id;
      }
      for (const handler of this.messageHandlers) handler(message, this);
    }
  }

  /** Subclasses: the transport is gone. Runs the close handlers once. */
  protected closedBy(reason: Error | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.pending = [];
    this.pendingOrdered = 0;
    this.releaseDrainWaiters();
    for (const handler of this.closeHandlers) handler(this, reason ?? this.failure);
  }

  /** Subclasses call this when writes they started have completed. */
  protected releaseDrainWaiters(): void {
    if (this.drainWaiters.length === 0) return;
    if (!this.closedFlag && !this.failure && (this.pending.length > 0 || !this.settledWrites())) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Keeps the process (or thread) alive while someone waits on this link; `release` undoes one `hold`. */
  /**
   * Shared memory this side writes and its peer can read after this side
   * stopped (see `SharedWords`): only a link between threads of one process
   * has it. Elsewhere, `undefined`: what must survive this side goes out with
   * `flushSync`.
   */
  get ownWords(): SharedWords | undefined {
    return undefined;
  }

  /** The peer's shared words (see `ownWords`), once it has shared them. */
  get peerWords(): SharedWords | undefined {
    return undefined;
  }

  abstract hold(): void;
  abstract release(): void;

  /** Bytes each frame reserves in front for its length (a socket's length prefix); 0 where the transport keeps message boundaries. */
  protected readonly frameHeader: number = 0;

  /** Writes encoded frames to the transport, in order. */
  protected abstract writeFrames(frames: Uint8Array[]): void;
  /** At process exit: writes frames (maybe none) synchronously, after whatever still waits in this process (by default as `writeFrames`). */
  protected writeFramesAtExit(frames: Uint8Array[]): void {
    if (frames.length > 0) this.writeFrames(frames);
  }
  /** Whether every frame written so far has left this process (their write callbacks ran). */
  protected abstract settledWrites(): boolean;
  /** Whether bytes written so far still wait in this process right now (by default: unsettled writes). */
  protected unwritten(): boolean {
    return !this.settledWrites();
  }
  /** Destroys the transport at once (see `fail`); it reports its close with `closedBy`. */
  protected abstract abort(error: Error): void;
  /** Ends the transport (after a flush). */
  protected abstract end(): void;
}
