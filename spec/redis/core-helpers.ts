/** What the Redis core specs share: fresh queue names on the shared server, handles closed after each test. */
import { afterTest } from '../support/children.js';

let serial = 0;

/** A name no other test of this run uses (the shared server keeps what earlier tests left). */
export function uniqueName(label: string): string {
  return `${label}-${process.pid}-${Date.now()}-${serial++}`;
}

/** Closes `q` after the current test. */
export function closeAfterTest<Q extends { close(): Promise<void> }>(q: Q): Q {
  afterTest(() => q.close());
  return q;
}
