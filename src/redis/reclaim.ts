/**
 * Reclaim after a failed get. Implements `protocol.ts`'s "reclaim": when a
 * get's command fails (the connection dropped), its reply may be lost with
 * entries already moved, so RECLAIM gives every entry of
 * `P:processing:<c>` that the handle does not hold back to the head (and
 * sets `P:ahead[c]` again to what it holds fetched ahead).
 */

import type { RedisConnection } from './port.js';
import { type ProcessingList, RETRIES } from './processing-list.js';
import type { RedisContext } from './redis-context.js';
import { RECLAIM } from './scripts.js';

/** What the consumer does when a RECLAIM answers. */
export interface ReclaimHost {
  /** It ran: the processing list holds only what the handle knows. */
  reclaimed(): void;
  /** It failed (told before it is tried again or given up). */
  failed(error: Error): void;
  /** Time to try it again (the consumer's pump runs it). */
  again(): void;
}

export class Reclaim {
  /** A get's command failed: RECLAIM runs before any other take. */
  needed = false;
  private tries = 0;

  constructor(
    private readonly ctx: RedisContext,
    private readonly list: ProcessingList<unknown>,
    private readonly host: ReclaimHost,
  ) {}

  /**
   * Entries in this consumer's processing list that it does not hold (moved
   * by a command whose reply was lost) go back to the head. Runs only while
   * no take is on its way, so that every entry it holds is known (`fetched`:
   * those fetched ahead); tried again while the server is away.
   */
  run(fetched: readonly Buffer[]): void {
    const { keys, consumer } = this.ctx;
    const holds = this.list.known(fetched);
    const args = [consumer, String(fetched.length), ...holds];
    const run = (cmd: RedisConnection) => cmd.run(RECLAIM, [keys.processing(consumer), keys.items, keys.ahead], args);
    const conns = this.ctx.connections.now;
    const sent = conns ? run(conns.cmd) : this.ctx.connections.ready().then((c) => run(c.cmd));
    this.ctx.track(sent).then(
      () => {
        this.needed = false;
        this.tries = 0;
        this.list.delta = 0;
        this.host.reclaimed();
      },
      (error: Error) => {
        this.host.failed(error);
        if (this.ctx.connections.closed || ++this.tries > RETRIES) {
          this.needed = false;
          this.ctx.report(error);
          return;
        }
        setTimeout(() => this.host.again(), 100).unref();
      },
    );
  }
}
