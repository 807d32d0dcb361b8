import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { nativeOrUndefined } from '../native/native.js';

/** Set by `Process` for a forked child: the pid of the process it must not outlive. */
export const PARENT_ENV = 'RXMP_PARENT_PID';

/**
 * A forked child never outlives the runtime that started it.
 *
 * Where the addon loads (Linux), the kernel kills this process with SIGKILL
 * the moment the thread that forked it ends (`prctl(PR_SET_PDEATHSIG)`):
 * the parent's death by SIGKILL, SIGTERM or Ctrl-C included, and a child busy
 * in a loop that never yields included, and its own children then follow it
 * the same way. The parent may have died before this ran: then the child's
 * parent is not the one it was started by any more, and it goes at once.
 *
 * Elsewhere (no addon), the child ends when its link to the parent (the IPC
 * channel) goes, which needs its event loop to turn.
 */
export function dieWithParent(onParentGone: () => void): void {
  if (!isMainThread || process.send === undefined) return;
  const parent = Number(process.env[PARENT_ENV]);
  // Not inherited by whatever this child starts without rxmp.
  delete process.env[PARENT_ENV];
  process.once('disconnect', () => {
    onParentGone();
    process.exit(1);
  });
  if (!Number.isInteger(parent) || parent <= 0) return;
  if (nativeOrUndefined()?.dieWithParent(constants.signals.SIGKILL) && process.ppid !== parent) process.exit(1);
}
