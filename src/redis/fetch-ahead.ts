/**
 * The fetch-ahead window of one consumer handle: the entries it took for
 * the streams attached to it (`observe`, an async iterator, `consume`)
 * before any get asked for them. Implements the part of `protocol.ts`'s
 * "get" about an attached stream's `prefetch`: the entries sit in the
 * processing list, counted in `P:ahead` (each change kept in the list's
 * `delta` until MOVED or RETURN tells the server), are handed to the next
 * gets with no round trip, and go back to the head (RETURN) when the last
 * stream detaches.
 */

import type { ProcessingList } from './processing-list.js';

/** The most a stream fetches ahead, whatever its `prefetch` (`Infinity` included). */
const MAX_AHEAD = 256;

export class FetchAhead {
  /** Entries fetched ahead, oldest first: in the processing list, counted in `P:ahead`. */
  readonly entries: Buffer[] = [];
  /** The windows of the streams attached now. */
  private readonly windows: number[] = [];

  constructor(private readonly list: ProcessingList<unknown>) {}

  /** Some stream is attached: a TAKE fetches ahead. */
  get attached(): boolean {
    return this.windows.length > 0;
  }

  /** How many entries a TAKE may fetch ahead now. */
  get window(): number {
    let most = 0;
    for (const w of this.windows) if (w > most) most = w;
    return Math.min(most, MAX_AHEAD);
  }

  /** Half the window or less is left: time for a TAKE to top it up (one TAKE brings many). */
  get low(): boolean {
    return this.entries.length <= this.window / 2;
  }

  /** How many more entries a TAKE should fetch ahead now. */
  get wanted(): number {
    return this.attached ? Math.max(0, this.window - this.entries.length) : 0;
  }

  /** How many more entries the window keeps now (not below 0 only when a wider stream detached). */
  get room(): number {
    return this.attached ? this.window - this.entries.length : 0;
  }

  /** A stream attaches with its `prefetch`; the function it gets back detaches it (once). */
  attach(prefetch: number): () => void {
    this.windows.push(prefetch);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.windows.splice(this.windows.indexOf(prefetch), 1);
      if (this.windows.length === 0) this.list.giveBackFetched(this.entries);
    };
  }

  /** The oldest entry fetched ahead, left in the window. */
  peek(): Buffer | undefined {
    return this.entries[0];
  }

  /** The oldest entry out of the window, to be handed to a get (the caller knows there is one). */
  shift(): Buffer {
    this.list.delta--;
    return this.entries.shift() as Buffer;
  }

  /** An entry just taken into the processing list, kept for a later get. */
  keep(entry: Buffer): void {
    this.entries.push(entry);
    this.list.delta++;
  }

  /** The handle leaves (LEAVE gives back everything, `P:ahead` included): nothing is held ahead any more. */
  clear(): void {
    this.entries.length = 0;
  }
}
