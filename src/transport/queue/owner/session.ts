import type { GetTicket, PutTicket } from '../../../core/queue/bounded-fifo.js';
import { ProtocolError } from '../../../errors.js';

/**
 * What the owner knows about one link's use of one queue: the session of
 * the queue protocol (see `wire/protocol/queue.ts`). Each delivery tag it
 * issued is in exactly one place: leased, held, or gone; every message that
 * names tags is checked here, whole, before any of it is applied.
 */
export class Session<T> {
  /** A handle on this link is attached (from `attach` to `detach`). */
  attached = false;
  /** Slots reserved for this link's producer and not used yet. */
  credits = 0;
  creditRequest: PutTicket<T> | undefined;
  /** Fetch waiters parked at the owner for this link. */
  readonly fetches = new Set<GetTicket<T>>();
  /** Sent and not yet acked or given back, by tag, oldest first: still counted toward maxsize. */
  readonly leased = new Map<number, T>();
  /**
   * Acked and still able to come back (`requeue`), by tag: every acked item
   * of a JoinableQueue until done, and a plain queue's items acked with `hold`.
   */
  readonly held = new Map<number, T>();
  private nextTag = 1;
  drainedSent = false;
  /** Where the handle on this link runs, as it said in its `attach` (for warnings). */
  where: string | undefined;
  /** This link's handle has fetched from the queue: it is (or was) a consumer. */
  consumer = false;
  /** Between threads: the handle's shared word holding the last tag it handed to its application. */
  word: number | undefined;
  /** Waiting `join` calls, by request id. */
  readonly joins = new Map<number, () => void>();

  constructor(private readonly queue: string) {}

  /** Nothing attached, held or awaited: the owner may forget this session. */
  get idle(): boolean {
    return !this.attached && this.held.size === 0 && this.joins.size === 0;
  }

  /** The tag the next lease gets. */
  get next(): number {
    return this.nextTag;
  }

  /** Leases `item` to this link under the next tag. */
  lease(item: T): number {
    const tag = this.nextTag++;
    this.leased.set(tag, item);
    return tag;
  }

  /** Leases up to tag `last` reached the application though their acks never came: they are gone. Returns how many. */
  dropHandedUpTo(last: number): number {
    let n = 0;
    for (const tag of [...this.leased.keys()]) {
      if (tag > last) continue;
      this.leased.delete(tag);
      n++;
    }
    return n;
  }

  /** Throws unless `tag` … `tag + n - 1` are all leased. */
  checkLeasedRange(what: string, tag: number, n: number): void {
    if (n > this.leased.size) this.refuse(what, tag + this.leased.size, 'leased');
    for (let i = 0; i < n; i++) if (!this.leased.has(tag + i)) this.refuse(what, tag + i, 'leased');
  }

  /** Throws unless every tag is leased, and named once. */
  checkLeased(what: string, tags: readonly number[]): void {
    this.checkIn(what, tags, this.leased, 'leased');
  }

  /** Throws unless every tag is held (or, given `acking`, about to be: within its range), and named once. */
  checkHeld(what: string, tags: readonly number[], acking?: { readonly tag: number; readonly n: number }): void {
    this.checkIn(what, tags, this.held, 'holds', acking);
  }

  private checkIn(
    what: string,
    tags: readonly number[],
    where: Map<number, T>,
    state: string,
    also?: { readonly tag: number; readonly n: number },
  ): void {
    // Tags usually come in increasing order, which rules out repeats without a set.
    let increasing = true;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i] as number;
      if (!where.has(tag) && !(also && tag >= also.tag && tag < also.tag + also.n)) this.refuse(what, tag, state);
      if (i > 0 && tag <= (tags[i - 1] as number)) increasing = false;
    }
    if (increasing) return;
    const seen = new Set<number>();
    for (const tag of tags) {
      if (seen.has(tag)) this.refuse(what, tag, state, true);
      seen.add(tag);
    }
  }

  private refuse(what: string, tag: number, state: string, twice = false): never {
    throw new ProtocolError(
      twice
        ? `${what} names delivery ${tag} of queue ${this.queue} twice`
        : `${what} for delivery ${tag} of queue ${this.queue}, which this link's session ${state === 'holds' ? 'does not hold' : 'has not leased'}`,
    );
  }
}
