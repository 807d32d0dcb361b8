/**
 * Attempt counts. An item that went back to the front of a queue after an
 * attempt that did not finish it (its consumer died before `taskDone`, or
 * its `consume` run failed) is stored in the queue wrapped in an `Attempted`
 * that counts those attempts; an item never attempted is stored as itself,
 * so the common case costs no allocation and no field. Nothing a user puts
 * can be an `Attempted`: items are copies, and a copy of a class instance is
 * a plain object.
 */
export class Attempted<T> {
  constructor(
    readonly item: T,
    /** Attempts made on the item that did not finish it (≥ 1). */
    readonly attempts: number,
  ) {}
}

/** What the queue stores for an item: itself, or itself wrapped with its attempts. */
export type Stored<T> = T | Attempted<T>;

/** The item a stored entry holds. */
export function itemOf<T>(stored: Stored<T>): T {
  return stored instanceof Attempted ? (stored.item as T) : stored;
}

/** The attempts a stored entry has been through (0 for an item never attempted). */
export function attemptsOf(stored: unknown): number {
  return stored instanceof Attempted ? stored.attempts : 0;
}

/** `item` as stored after `attempts` unfinished attempts. */
export function storedWith<T>(item: T, attempts: number): Stored<T> {
  return attempts > 0 ? new Attempted(item, attempts) : item;
}

/** A stored entry with one more unfinished attempt. */
export function retried<T>(stored: Stored<T>): Attempted<T> {
  return new Attempted(itemOf(stored), attemptsOf(stored) + 1);
}
