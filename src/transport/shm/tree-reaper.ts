import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Removes a process tree's directory (and unlinks the shared memory segments
 * written down in it) once the tree's root is gone, however it went: a root
 * killed with SIGKILL runs no exit handler of its own.
 *
 * The reaper is a shell in a session of its own (so Ctrl-C in a terminal
 * does not reach it) that waits for the end of a pipe only the root holds
 * open: the kernel closes it when the root dies, and the shell then does
 * what the root's exit handler would have done, and ends. A root that exits
 * normally has removed everything already; the reaper then finds nothing.
 * One small process per tree, started when the tree is made.
 */
export function startReaper(dir: string): void {
  // $1: the tree's directory. `shm/<name>` names a segment to unlink (`/dev/shm/<name>` on Linux).
  const script = [
    'read -r _', // returns at end of file: the root is gone
    'for m in "$1"/shm/*; do [ -e "$m" ] && rm -f "/dev/shm/$(basename "$m")"; done',
    'rm -rf "$1"',
  ].join('\n');
  let reaper: ReturnType<typeof spawn>;
  try {
    reaper = spawn('/bin/sh', ['-c', script, 'rxmp-reaper', dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return; // no shell: the root's own exit handler is all there is
  }
  reaper.on('error', () => undefined);
  reaper.unref();
  // The pipe must not keep the root alive either; it just stays open until the root ends.
  (reaper.stdin as Socket | null)?.unref();
  reaper.stdin?.on('error', () => undefined);
}
