import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { nativeOrUndefined } from '../../native/native.js';
import { startReaper } from './tree-reaper.js';

/** The environment variable that hands a process tree's directory to its children. */
export const TREE_ENV = 'RXMP_TREE_DIR';

/**
 * The directory a process tree shares (mode 0700, in the temp dir): the
 * names of the shared memory segments the tree created and has not unlinked
 * yet (`shm/<name>`, one empty file each), and the doorbells of its runtimes.
 *
 * The root (the first process that needed it) makes it and, when it exits,
 * unlinks every segment still named there and removes the directory; if the
 * root dies without running its exit handler, its reaper does (see
 * `tree-reaper`). Every runtime of the tree listens in a directory in it too. A name
 * is written down *before* its segment is created, so a creator killed at
 * any moment (SIGKILL included) never leaves a segment nobody knows of.
 * Children find the directory in `RXMP_TREE_DIR`, set by `Process`.
 */
export class Tree {
  private static current: Tree | undefined;

  private constructor(
    readonly dir: string,
    readonly root: boolean,
  ) {}

  /** This process's tree, joined (a child) or made (the root) on first use. */
  static get(): Tree {
    Tree.current ??= Tree.join() ?? Tree.make();
    return Tree.current;
  }

  /** This process's tree if it has one already (joined or made), without making one. */
  static known(): Tree | undefined {
    Tree.current ??= Tree.join();
    return Tree.current;
  }

  /** The directory for a child's environment, made now if this process is the root and has none yet. */
  static env(): Record<string, string> {
    return { [TREE_ENV]: Tree.get().dir };
  }

  private static join(): Tree | undefined {
    const dir = process.env[TREE_ENV];
    if (!dir) return undefined;
    try {
      if (statSync(join(dir, 'shm')).isDirectory()) return new Tree(dir, false);
    } catch {
      // The root is gone (or the variable is stale): this process starts a tree of its own.
    }
    return undefined;
  }

  private static make(): Tree {
    const dir = mkdtempSync(join(tmpdir(), 'rxmp-tree-'));
    chmodSync(dir, 0o700);
    mkdirSync(join(dir, 'shm'));
    const tree = new Tree(dir, true);
    // The root's main thread outlives its worker threads; a worker that made
    // the tree (nothing had before it) cleans up when the worker ends.
    process.once('exit', () => tree.remove());
    startReaper(dir);
    if (!isMainThread) process.env[TREE_ENV] = dir;
    return tree;
  }

  /** Writes `name` down as a segment this tree must unlink if nobody else does. */
  track(name: string): void {
    writeFileSync(this.marker(name), '', { flag: 'wx', mode: 0o600 });
  }

  /** `name` was unlinked (or never created): nothing to do for it at exit. */
  untrack(name: string): void {
    rmSync(this.marker(name), { force: true });
  }

  /** The root's exit: every segment still written down is unlinked, then the directory goes. */
  remove(): void {
    const native = nativeOrUndefined();
    let names: string[] = [];
    try {
      names = readdirSync(join(this.dir, 'shm'));
    } catch {
      // Already removed.
    }
    for (const name of names) {
      try {
        native?.shmUnlink(`/${name}`);
      } catch {
        // Unlinked by someone already (or never created: its creator died first).
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private marker(name: string): string {
    return join(this.dir, 'shm', name);
  }
}
