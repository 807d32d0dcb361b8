import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Tree } from '../../src/transport/shm/tree.js';

/** rxmp's named segments in /dev/shm (anonymous memory never shows there), whoever made them. */
export function ourSegments(): string[] {
  try {
    return readdirSync('/dev/shm').filter((name) => name.startsWith('rxmp'));
  } catch {
    return [];
  }
}

/** Segments this process tree created and has not unlinked (other programs' segments do not count). */
function treeSegments(): string[] {
  const tree = Tree.known();
  if (!tree) return [];
  try {
    return readdirSync(join(tree.dir, 'shm'));
  } catch {
    return [];
  }
}

let before: Set<string> | undefined;

// After every test that loads this, no segment this tree created is left.
beforeEach(() => {
  before = new Set(treeSegments());
});

afterEach(() => {
  const left = treeSegments().filter((name) => !before?.has(name));
  expect(left, 'segments left by this test').to.deep.equal([]);
});
