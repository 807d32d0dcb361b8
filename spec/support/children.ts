import { Process, type ProcessOptions } from '../../src/index.js';

/** Every child a test starts, so that none outlives its test. */
const running = new Set<Process>();

/** Starts a child of a fixture module, tracked for `reapChildren`. */
export function startChild(fixture: string, options: Omit<ProcessOptions, 'target'> = {}): Process {
  const p = new Process({ ...options, target: new URL(`../fixtures/${fixture}.js`, import.meta.url) }).start();
  running.add(p);
  return p;
}

/** Joins every child started so far, killing any still alive after `graceMs`. */
export async function reapChildren(graceMs = 5000): Promise<void> {
  const children = [...running];
  running.clear();
  await Promise.all(
    children.map(async (p) => {
      if ((await p.join(graceMs)) === null) {
        p.kill();
        await p.join();
      }
    }),
  );
}

/** Runs `release` after the current test, before its children are reaped (e.g. to tell them to stop). */
export function afterTest(release: () => Promise<unknown>): void {
  releases.push(release);
}
const releases: (() => Promise<unknown>)[] = [];

// A safety net for every spec file: nothing is left running after a test.
afterEach(async () => {
  for (const release of releases.splice(0)) await release();
  await reapChildren();
});
