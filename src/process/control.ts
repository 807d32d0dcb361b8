import type { ThreadBell } from '../transport/shm/thread-bells.js';
import type { ErrorInfo } from '../wire/error-codec.js';
import type { Transfer } from './handle-passing.js';

/** Parent → child: run this. Sent once the arguments' handles are ready. */
export interface StartMsg {
  t: 'start';
  /** The target module's URL. */
  target: string;
  exportName: string;
  /** The arguments, their handles out of band (see `handle-passing.ts`). */
  args: Transfer;
  name: string;
  /** The process tree's secret; travels only on this private channel. */
  authkey: Uint8Array;
  /** The parent's runtime id (a thread's port link is bound to it). */
  parentId: string;
}

/** Child → parent: one notification of the Observable the target returned. */
export type OutputMsg =
  | { t: 'output'; kind: 'N'; value: Transfer }
  | { t: 'output'; kind: 'E'; error: ErrorInfo }
  | { t: 'output'; kind: 'C' };

/** Child → parent: the target threw or rejected; the child exits with 1 after sending this. */
export interface FailedMsg {
  t: 'failed';
  error: ErrorInfo;
}

/**
 * Child → parent: what a target that returned something other than an
 * Observable returned (awaited), or why it cannot come back (a value that
 * cannot be copied). `result` settles with it once the child has exited.
 */
export type ResultMsg = { t: 'result'; value: Transfer } | { t: 'result'; error: ErrorInfo };

/** Parent → child: nobody listens to `output$` any more; unsubscribe the target's Observable. */
export interface StopMsg {
  t: 'stop';
}

/** Child → parent: the child listens in this private directory (the parent removes it if the child cannot). */
export interface ListeningMsg {
  t: 'listening';
  dir: string;
}

/**
 * Child → parent, before a forked child that sent handles in `output$`
 * exits: the parent answers `parted` once it has taken in every output
 * before it, so memory the child holds open for them is still there when
 * the parent attaches.
 */
export interface PartingMsg {
  t: 'parting';
}

/** Parent → child: the answer to `parting`. */
export interface PartedMsg {
  t: 'parted';
}

export type ChildMsg = OutputMsg | FailedMsg | ResultMsg | ListeningMsg | PartingMsg;

/** What a thread child finds in `workerData`. */
export interface ThreadData extends Partial<ThreadBell> {
  runtimeId: string;
  port: import('node:worker_threads').MessagePort;
}
