import type { ClosedError } from '../../../errors.js';
import type { GetListener } from '../../../core/listeners.js';
import type { RemoteContext } from './remote-context.js';

interface Waiting<T> {
  readonly item: T;
  readonly tag: number;
  /** Unset for the item of a fast path that could not finish: the get that follows claims it. */
  listener: GetListener<T> | undefined;
}

/**
 * Exactly once for a plain queue: an item is handed to the application only
 * once its acknowledgement has left this process (bytes in the kernel, or
 * posted on a MessagePort). If the process dies a moment later, the owner
 * knows the item was taken and gives it to no one else. When the ack cannot
 * leave at once (the link is backed up, or still connecting), the item waits
 * here, and the items after it behind it, until it has.
 *
 * Between threads of one process there is no kernel to reach: the handle
 * writes the last tag it hands out into a word of shared memory first, which
 * the owner reads when the link closes, however the thread stopped.
 *
 * A JoinableQueue does not wait: an item got but not done is redelivered
 * anyway (at-least-once), and an ack lost with its process changes nothing.
 *
 * A get handed an item here is committed: cancelling it, its timeout, or
 * closing the handle no longer withdraws it (the owner may already have
 * forgotten the item); it settles as soon as the ack is out.
 */
export class HandOver<T> {
  /** In order (a few at most: the items fetched ahead while the link is backed up). */
  private waiting: Waiting<T>[] = [];
  private watching = false;

  /**
   * Between threads of one process the owner reads where this handle
   * stopped from a shared word (see `SharedWords`) instead: the last tag
   * handed to the application, written before it is handed.
   */
  private word: number | undefined;
  private handedUpTo = 0;
  private fenced = false;

  constructor(
    private readonly ctx: RemoteContext,
    /** Whether acks must leave before items go out (a plain queue). */
    private readonly durable: boolean,
  ) {}

  /** A shared word to keep the last tag handed out in, if the link has them (sent with `attach`). */
  claimWord(): number | undefined {
    if (!this.durable) return undefined;
    this.word = this.ctx.link.ownWords?.claim();
    return this.word;
  }

  /** The owner no longer reads the word (it saw this handle detach, or the link is gone). */
  releaseWord(): void {
    if (this.word !== undefined) this.ctx.link.ownWords?.release(this.word);
    this.word = undefined;
  }

  /**
   * Items acknowledged so far, up to tag `last`, may go to the application
   * now: their acks have left (written out now to know), or the shared word
   * says they were handed out.
   */
  now(last: number): boolean {
    if (!this.durable) return true;
    if (this.waiting.length > 0 || this.fenced) return false;
    if (this.word === undefined) return this.ctx.link.flushSync();
    if (this.ctx.link.ownWords?.advance(this.word, this.handedUpTo, last)) {
      this.handedUpTo = last;
      return true;
    }
    // The owner gave up on this link and took back what the word did not cover: nothing more goes out.
    this.fenced = true;
    return false;
  }

  /** Nothing waits here: an item may overtake nothing by going out at once. */
  get idle(): boolean {
    return this.waiting.length === 0;
  }

  /** Hands `item` to `listener` once every ack sent so far has left (`listener` unset: see `claim`). */
  later(item: T, tag: number, listener: GetListener<T> | undefined): void {
    this.waiting.push({ item, tag, listener });
    if (listener) this.ctx.busy(1);
    this.watch();
  }

  /** Whether an item waits for the get that follows its fast path. */
  get unclaimed(): boolean {
    return this.waiting.some((w) => !w.listener);
  }

  /** That get takes the item its fast path acknowledged (the same call, synchronously after it). */
  claim(listener: GetListener<T>): void {
    const w = this.waiting.find((entry) => !entry.listener);
    if (!w) return;
    w.listener = listener;
    this.ctx.busy(1);
  }

  /** The link is gone before the acks left: whether the owner got them is unknown, so nothing is handed out. */
  fail(error: ClosedError): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.listener?.failed(error);
  }

  private watch(): void {
    if (this.watching || this.fenced) return;
    this.watching = true;
    void this.ctx.link.drained().then(() => {
      this.watching = false;
      this.release();
    });
  }

  private release(): void {
    if (this.waiting.length === 0 || this.ctx.failure() || this.fenced) return;
    // Acks sent after the drain began are covered only if everything is out now.
    if (!this.ctx.link.flushSync()) return this.watch();
    while (this.waiting.length > 0) {
      const head = this.waiting[0] as Waiting<T>;
      if (!head.listener) break;
      this.waiting.shift();
      this.ctx.busy(-1);
      head.listener.delivered(head.item, head.tag);
    }
  }
}
