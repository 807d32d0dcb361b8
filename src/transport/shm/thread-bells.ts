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
 * (a `Worker` of the application's own), and any thread it starts, takes
 * 224 + its thread id modulo 32: two such threads alive at once may then
 * share one.
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
/**
 * The process's table (shared by the main thread and every thread rxmp
 * started): entry `b` (1…223) is 0 while number `b` is free, else 1 + the
 * bell number of the thread that started its holder (who holds it dies
 * with that thread). Entry 0 is where the last search for a free number
 * ended: numbers go round, so one is given again as late as can be.
 */
const table: Int32Array | undefined = isMainThread
  ? new Int32Array(new SharedArrayBuffer(4 * (STARTED + 1)))
  : fromParent
    ? new Int32Array(given?.bells as SharedArrayBuffer)
    : undefined;
const mine = isMainThread ? 0 : fromParent ? (given?.bell as number) : foreignBell(threadId);

/** The doorbell id of bell number `bell` in process `pid`. */
export function bellId(pid: number, bell: number): number {
  return bell * 2 ** 22 + pid;
}

/** The bell number of a thread rxmp did not start (see above), from its thread id. */
export function foreignBell(thread: number): number {
  return FOREIGN_FROM + (thread % FOREIGN);
}

/** This thread's doorbell id (its owner id), known before (and without) its bell being made. */
export const ME = bellId(process.pid, mine);

/**
 * For a thread about to start: a bell number no live thread of this process
 * has, with the table to pass on — or undefined from a thread rxmp did not
 * start (it has no table: the new thread takes a number as such a thread does).
 */
export function claimBell(): ThreadBell | undefined {
  if (!table) return undefined;
  const from = Atomics.load(table, 0);
  for (let i = 1; i <= STARTED; i++) {
    const bell = ((from + i - 1) % STARTED) + 1;
    if (Atomics.compareExchange(table, bell, 0, mine + 1) === 0) {
      Atomics.store(table, 0, bell);
      return { bells: table.buffer as SharedArrayBuffer, bell };
    }
  }
  throw new RangeError(`more than ${STARTED} rxmp threads alive in one process at once`);
}

/**
 * The thread given `bell` has exited: its number, and those of the threads
 * it started that are still marked taken (they died with it, and nobody
 * else will see their exit), in that order. Release them with `releaseBells`
 * once every primitive here has heard of them.
 */
export function bellsGoneWith(bell: number): number[] {
  const gone = [bell];
  if (!table) return gone;
  for (let k = 0; k < gone.length; k++) {
    const parent = (gone[k] as number) + 1;
    for (let b = 1; b <= STARTED; b++) if (Atomics.load(table, b) === parent) gone.push(b);
  }
  return gone;
}

/** The numbers may be given again. */
export function releaseBells(bells: readonly number[]): void {
  if (!table) return;
  for (const bell of bells) if (bell >= 1 && bell <= STARTED) Atomics.store(table, bell, 0);
}
