/**
 * The BLMOVE a consumer handle blocks in when a TAKE found nothing, and its
 * cancellation. Implements, from `protocol.ts`, "get" (found nothing:
 * `BLMOVE P:items → P:processing:<c>` on the handle's get connection) and
 * "cancel" (a blocked BLMOVE is ended by `CLIENT UNBLOCK` from the command
 * connection, with the id `CLIENT ID` gave just before that BLMOVE).
 */

import type { RedisContext } from './redis-context.js';

/** How long one BLMOVE blocks before the handle looks again (seconds): bounds how late a missed `ended` is seen. */
const BLOCK_CHUNK_S = 2;

/** What the consumer does with a BLMOVE. */
export interface BlockingMoveHost {
  /** Some get still waits for what a BLMOVE brings. */
  wanted(): boolean;
  /** The BLMOVE answered: the entry it moved, or `null` (its chunk ran out, it was unblocked, or it never blocked). */
  moved(entry: Buffer | null): void;
  /** Its connection or its command failed. */
  failed(error: Error): void;
}

export class BlockingMove {
  private blockedOn: number | undefined;
  private unblocking = false;
  /** The queue's `ended` was heard: a get about to block looks again first (the news may beat its BLMOVE). */
  private endHint = false;

  constructor(
    private readonly ctx: RedisContext,
    private readonly host: BlockingMoveHost,
  ) {}

  /** A BLMOVE is blocked on the server now (as far as this handle knows). */
  get blocked(): boolean {
    return this.blockedOn !== undefined;
  }

  /** The queue ended: a blocked BLMOVE is woken to see it. */
  ended(): void {
    this.endHint = true;
    this.unblock();
  }

  /** Blocks in one BLMOVE (unless no get wants it any more, or the queue ended), then tells the host. */
  async block(): Promise<void> {
    const { keys, consumer } = this.ctx;
    let entry: Buffer | null;
    try {
      const { conn } = await this.ctx.connections.blocker('get');
      if (!this.host.wanted() || this.endHint) {
        this.endHint = false;
        this.host.moved(null);
        return;
      }
      // Its client id is read again with every BLMOVE (pipelined, no round trip of its own): a
      // connection that reconnected by itself has a new one, and CLIENT UNBLOCK with the old one
      // missed the BLMOVE (or, ids starting again after a server restart, hit another client).
      const id = conn.clientId();
      const moved = conn.blmove(keys.items, keys.processing(consumer), BLOCK_CHUNK_S);
      let pending = true;
      id.then(
        (n) => {
          if (!pending) return;
          this.blockedOn = n;
          // Withdrawn, or the queue ended, before the id came: unblocked now.
          if (!this.host.wanted() || this.endHint) this.unblock();
        },
        () => undefined,
      );
      try {
        entry = await moved;
      } finally {
        pending = false;
        this.blockedOn = undefined;
      }
    } catch (error) {
      // Its client id changes if it reconnects: the next block gets a connection of its own again.
      this.ctx.connections.dropBlocker('get');
      this.host.failed(error as Error);
      return;
    }
    this.host.moved(entry);
  }

  /** A blocked BLMOVE ends now (CLIENT UNBLOCK), tried again shortly while it has not reached the server. */
  unblock(): void {
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
}
