import { expect } from 'chai';
import { readdirSync } from 'node:fs';

/** rxmp's named segments in /dev/shm (anonymous memory never shows there). */
export function ourSegments(): string[] {
  try {
    return readdirSync('/dev/shm').filter((name) => name.startsWith('rxmp'));
  } catch {
    return [];
  }
}

let before: Set<string> | undefined;

// After every test that loads this, no segment of ours is left in /dev/shm.
beforeEach(() => {
  before = new Set(ourSegments());
});

afterEach(() => {
  const left = ourSegments().filter((name) => !before?.has(name));
  expect(left, 'segments left in /dev/shm').to.deep.equal([]);
});
