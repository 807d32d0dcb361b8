/**
 * One live object per shared thing per thread: a handle revived twice (or
 * revived where its original lives) is the same object, as a queue handle
 * that comes home is its owner's own. Entries go when their object is
 * collected.
 */
const live = new Map<string, WeakRef<object>>();
const gone = new FinalizationRegistry<string>((key) => {
  if (live.get(key)?.deref() === undefined) live.delete(key);
});

/** The live object known as `key`, or `make()`'s, remembered under `key`. */
export function once<T extends object>(key: string | undefined, make: () => T): T {
  if (key === undefined) return make();
  const known = live.get(key)?.deref();
  if (known) return known as T;
  const made = make();
  remember(key, made);
  return made;
}

/** Remembers `object` as `key` (the object a creator made, for handles that come home). */
export function remember(key: string | undefined, object: object): void {
  if (key === undefined) return;
  live.set(key, new WeakRef(object));
  gone.register(object, key);
}
