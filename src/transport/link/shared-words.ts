/**
 * Words of shared memory one side of a same-process link (a MessagePort
 * between threads) writes, and the other can still read once the writer has
 * stopped — even a thread terminated in the middle of a turn, with nothing
 * posted. What a word means is its user's business (a queue consumer keeps
 * there the last delivery tag it handed to its application); this only
 * hands words out and guards them:
 *
 * - the writer `advance`s a word from the value it last wrote to a new one,
 *   which fails once the reader has `fence`d it;
 * - the reader `fence`s a word when it gives up on the writer (its link
 *   closed): it gets the last value, and no later `advance` succeeds, so the
 *   two agree on where the writer stopped.
 */
export class SharedWords {
  /** Words per link side: one per queue a thread consumes from its parent (more fall back to posting). */
  static readonly COUNT = 1024;
  private static readonly FENCED = -1n;

  readonly buffer: SharedArrayBuffer;
  private readonly words: BigInt64Array;
  private readonly free: number[] = [];

  /** The writer's words (new memory), or the reader's view of a peer's `buffer`. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(8 * SharedWords.COUNT);
    this.words = new BigInt64Array(this.buffer);
    if (!buffer) for (let i = SharedWords.COUNT - 1; i >= 0; i--) this.free.push(i);
  }

  /** A word for the writer, set to 0; `undefined` when all are taken. */
  claim(): number | undefined {
    const index = this.free.pop();
    if (index !== undefined) Atomics.store(this.words, index, 0n);
    return index;
  }

  /** The word is no longer read by anyone (its reader has forgotten it): it may be claimed again. */
  release(index: number): void {
    this.free.push(index);
  }

  /** Writer: moves word `index` from `from` to `to`; `false` if the reader fenced it. */
  advance(index: number, from: number, to: number): boolean {
    const expected = BigInt(from);
    return Atomics.compareExchange(this.words, index, expected, BigInt(to)) === expected;
  }

  /** Reader: the word's last value, after which the writer cannot change it. */
  fence(index: number): number {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.words.length) return 0;
    const last = Atomics.exchange(this.words, index, SharedWords.FENCED);
    return last === SharedWords.FENCED ? 0 : Number(last);
  }
}
