import type { RemoteContext } from './remote-context.js';

/** How long settled tags wait for an ack to ride on before they go alone. */
const SETTLED_DELAY_MS = 20;

/**
 * The deliveries a remote handle got that may still come back, by tag:
 * every one of a JoinableQueue until `taskDone`, and a plain queue's items
 * taken by a consumer that may put them back (`consume`) until it settles
 * them. The owner holds its own copy of each (`ack` with `hold`), so only
 * these can be requeued, and finishing one tells the owner (`done`).
 */
export class HeldDeliveries {
  private readonly held = new Set<number>();
  /** The unfinished attempts of held deliveries, when not 0 (rare: kept apart from `held`). */
  private readonly attemptsByTag = new Map<number, number>();

  constructor(private readonly ctx: RemoteContext) {}

  add(tag: number, attempts = 0): void {
    this.held.add(tag);
    if (attempts > 0) this.attemptsByTag.set(tag, attempts);
  }

  /** Unfinished attempts the held delivery `tag` had been through (0 if none, or not held). */
  attempts(tag: number): number {
    return this.attemptsByTag.get(tag) ?? 0;
  }

  /** Of `tags`, those held (in the order given). */
  heldOf(tags: readonly number[]): number[] {
    return tags.filter((tag) => this.held.has(tag));
  }

  /** `tag` (default: the oldest held) is finished. Throws `RangeError` when it is not held. */
  finish(tag?: number): void {
    const settled = tag ?? (this.held.values().next().value as number | undefined);
    if (settled === undefined || !this.held.has(settled)) {
      throw new RangeError('taskDone() called too many times: this handle holds no item it got and has not marked done');
    }
    this.held.delete(settled);
    this.attemptsByTag.delete(settled);
    if (!this.ctx.failure()) this.ctx.link.send({ t: 'done', q: this.ctx.id, tags: [settled] });
  }

  /**
   * Finishes `tag` if it is held (a plain queue's returnable delivery). The
   * owner hears of it with the next ack (`takeSettled`), or a moment later
   * when no ack comes: it only frees the owner's copy (a plain queue's held
   * items are not redelivered when a link is lost, so nothing rides on when
   * it arrives). Not at the end of the turn: that would cost a write per turn
   * of its own, after the one that carried the turn's acks.
   */
  settle(tag: number): void {
    if (!this.held.delete(tag)) return;
    this.attemptsByTag.delete(tag);
    this.settled.push(tag);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.sendSettled, SETTLED_DELAY_MS).unref();
    }
  }

  /** The settled tags not sent yet, for the ack about to go (their `done`). */
  takeSettled(): number[] | undefined {
    if (this.settled.length === 0) return undefined;
    const tags = this.settled;
    this.settled = [];
    return tags;
  }

  private settled: number[] = [];
  private scheduled = false;

  /** Sends what was settled and not yet told (also before the handle detaches). */
  readonly sendSettled = (): void => {
    this.scheduled = false;
    const tags = this.takeSettled();
    if (tags && !this.ctx.failure()) this.ctx.link.send({ t: 'done', q: this.ctx.id, tags });
  };

  /**
   * These go back to the front of the queue (the owner puts back its copies);
   * `failed`: the one whose attempt failed (the owner counts it).
   */
  requeue(tags: readonly number[], failed?: number): void {
    for (const tag of tags) {
      this.held.delete(tag);
      this.attemptsByTag.delete(tag);
    }
    const counted = failed !== undefined && tags.includes(failed);
    this.ctx.link.send(
      counted ? { t: 'requeue', q: this.ctx.id, tags: [...tags], failed: [failed] } : { t: 'requeue', q: this.ctx.id, tags: [...tags] },
    );
  }

  /** Nobody can finish what is held any more (the handle was collected): all of it goes back. */
  returnAll(): void {
    if (this.held.size === 0 || this.ctx.failure()) return;
    this.requeue([...this.held]);
  }
}
