/**
 * A growable ring buffer: O(1) push and shift at both ends, no `Array.shift`
 * on long arrays. Capacity is always a power of two so that wrapping is a mask.
 */
export class Deque<T> {
  private buffer: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.buffer = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.buffer.length) this.grow();
    this.buffer[(this.head + this.count) & (this.buffer.length - 1)] = item;
    this.count++;
  }

  /** Puts an item back at the front (used to return undelivered items first). */
  unshift(item: T): void {
    if (this.count === this.buffer.length) this.grow();
    this.head = (this.head - 1) & (this.buffer.length - 1);
    this.buffer[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & (this.buffer.length - 1);
    this.count--;
    return item;
  }

  /** Removes and returns the newest item. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const index = (this.head + this.count - 1) & (this.buffer.length - 1);
    const item = this.buffer[index];
    this.buffer[index] = undefined;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buffer[this.head];
  }

  /** Removes and returns every item, front first. */
  drain(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < out.length; i++) out[i] = this.shift() as T;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) {
      yield this.buffer[(this.head + i) & (this.buffer.length - 1)] as T;
    }
  }

  private grow(): void {
    const old = this.buffer;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buffer = next;
    this.head = 0;
  }
}
