import { isMainThread, threadId, workerData } from 'node:worker_threads';

/**
 * A doorbell id — also the owner id a thread writes into shared primitives —
 * is its process's pid with, above it (pid_max is at most 2^22 on Linux),
 * the thread's *bell number* in its process: 8 bits, and bit 30 stays free
 * (a lock word keeps its "contended" mark there).
 *
 * No two live threads of a process may share a bell number, however many
 * threads come and go (a thread id modulo 256 would make the 256th thread
 * ring the main thread's bell). So: the main thread is 0; a thread rxmp
 * starts is given a number from 1 to 223 by the thread that starts it, out
 * of a table every rxmp thread of the process shares (passed down with each
 * new thread), and the number goes back to the table once the thread's exit
 * has been seen and what it held given back. A thread rxmp did not start
 * (a `Worker` of the application's own) takes 224 + its thread id modulo
 * 32: two such threads alive at once may then share one.
 */
const STARTED = 223;
const FOREIGN_FROM = 224;
const FOREIGN = 32;

/** What a thread rxmp starts finds in its `workerData` (see `process/control.ts`). */
export interface ThreadBell {
  /** The table of bell numbers in use in this process. */
  bells: SharedArrayBuffer;
  /** This thread's number. */
  bell: number;
}

const given = isMainThread ? undefined : (workerData as Partial<ThreadBell> | undefined);
const fromParent = given?.bells instanceof SharedArrayBuffer && typeof given.bell === 'number';
/** Numbers in use: 1 where taken. A thread rxmp did not start, and that starts threads, keeps a table of its own. */
const table = new Int32Array(fromParent ? (given?.bells as SharedArrayBuffer) : new SharedArrayBuffer(4 * (STARTED + 1)));
const mine = isMainThread ? 0 : fromParent ? (given?.bell as number) : FOREIGN_FROM + (threadId % FOREIGN);

/** The doorbell id of bell number `bell` in process `pid`. */
export function bellId(pid: number, bell: number): number {
  return bell * 2 ** 22 + pid;
}

/** This thread's doorbell id (its owner id), known before (and without) its bell being made. */
export const ME = bellId(process.pid, mine);

/** For a thread about to start: a bell number no live thread of this process has, with the table to pass on. */
export function claimBell(): ThreadBell {
  for (let bell = 1; bell <= STARTED; bell++) {
    if (Atomics.compareExchange(table, bell, 0, 1) === 0) return { bells: table.buffer as SharedArrayBuffer, bell };
  }
  throw new RangeError(`more than ${STARTED} rxmp threads alive in one process at once`);
}

/** The thread given `bell` has exited, and every primitive here heard of it: the number may be given again. */
export function releaseBell(bell: number): void {
  Atomics.store(table, bell, 0);
}
