/**
 * About how many bytes an item takes encoded, cheaply enough to ask for
 * every item a link queues: a link flushes once its pending batch is large
 * (so a never-yielding producer still writes, and frames stay small), and
 * it must know a 50 MB item when it sees one. Typed arrays and strings tell
 * their size; other values count as small unless `fastClone` recorded the
 * size of its copy, which it does for large ones only.
 */

/** A copy at least this large has its size recorded. */
export const LARGE_ITEM_BYTES = 64 * 1024;

/** What an item of unknown size counts for (most items are small). */
const SMALL_ITEM_BYTES = 64;

const sizes = new WeakMap<object, number>();

/** Records that `copy` takes about `bytes` encoded. */
export function noteSize(copy: object, bytes: number): void {
  sizes.set(copy, bytes);
}

/** About how many bytes `item` takes encoded (a lower bound for large items). */
export function sizeOf(item: unknown): number {
  switch (typeof item) {
    case 'string':
      return item.length;
    case 'object':
      if (item === null) return 1;
      if (ArrayBuffer.isView(item)) return item.byteLength;
      return sizes.get(item) ?? SMALL_ITEM_BYTES;
    default:
      return 9;
  }
}
