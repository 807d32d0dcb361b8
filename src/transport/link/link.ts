import { coalesce } from '../../wire/batch.js';
import type { Message } from '../../wire/protocol/index.js';

export type MessageHandler = (message: Message, link: Link) => void;
export type CloseHandler = (link: Link, reason: Error | undefined) => void;

/**
 * A message channel between two runtimes (processes or threads). Sends are
 * queued and written as one batch per event-loop turn; delivery is in order.
 * A link may still be connecting: sends wait for it.
 */
export abstract class Link {
  /** The peer runtime's id, once it said hello. */
  peerId: string | undefined;
  private pending: Message[] = [];
  private scheduled = false;
  private closedFlag = false;
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly closeHandlers: CloseHandler[] = [];
  /** Called after every batch this link has written so far has left (see `drained`). */
  private drainWaiters: (() => void)[] = [];
  protected ready = false;

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
   * message after sending it. Dropped once the link is closed (the close
   * handlers tell).
   */
  send(message: Message): void {
    if (this.closedFlag) return;
    const last = this.pending[this.pending.length - 1];
    if (last === undefined || !coalesce(last, message)) this.pending.push(message);
    if (!this.scheduled && this.ready) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * Appends `item` to the `put` message for queue `q` queued just before,
   * allocating a new message only when there is none to extend (the hot path
   * of a steady stream allocates nothing per item here). (`items` and `ack`
   * name delivery tags: they go through `send`, which folds them.)
   */
  sendItem(t: 'put', q: string, item: unknown): void {
    if (this.closedFlag) return;
    const last = this.pending[this.pending.length - 1] as { t: string; q?: string; items?: unknown[]; try?: true } | undefined;
    if (last && last.t === t && last.q === q && !last.try) {
      (last.items as unknown[]).push(item);
      return;
    }
    this.send({ t, q, items: [item] });
  }

  /** Adds `n` to the `credit` message for queue `q` queued just before (see `sendItem`). */
  sendCount(t: 'credit', q: string, n: number): void {
    if (this.closedFlag) return;
    const last = this.pending[this.pending.length - 1] as { t: string; q?: string; n?: number; try?: true } | undefined;
    if (last && last.t === t && last.q === q && !last.try) {
      last.n = (last.n as number) + n;
      return;
    }
    this.send({ t, q, n });
  }

  /** Resolves once every message queued so far has been handed to the OS (or the link closed). */
  drained(): Promise<void> {
    if (this.closedFlag || (this.pending.length === 0 && this.settledWrites())) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

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
    this.end();
  }

  /** Writes the queued batch now. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (!this.ready || this.closedFlag || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.write(batch);
  };

  /** Subclasses: the transport is usable; queued sends go out. */
  protected markReady(): void {
    this.ready = true;
    if (this.pending.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Subclasses: a batch arrived. */
  protected deliver(messages: readonly Message[]): void {
    for (const message of messages) {
      if (this.closedFlag) return;
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
    this.releaseDrainWaiters();
    for (const handler of this.closeHandlers) handler(this, reason);
  }

  /** Subclasses call this when writes they started have completed. */
  protected releaseDrainWaiters(): void {
    if (this.drainWaiters.length === 0) return;
    if (!this.closedFlag && (this.pending.length > 0 || !this.settledWrites())) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Keeps the process (or thread) alive while someone waits on this link; `release` undoes one `hold`. */
  abstract hold(): void;
  abstract release(): void;

  /** Cuts the link off at once; the close handlers receive `error`. */
  abstract fail(error: Error): void;

  /** Writes one batch to the transport. */
  protected abstract write(batch: Message[]): void;
  /** Whether every batch written so far has left this process. */
  protected abstract settledWrites(): boolean;
  /** Ends the transport (after a flush). */
  protected abstract end(): void;
}
