import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The Node options a child gets when the user gives none (`execArgv` given
 * is used as it is, for either kind): the parent's, less those that describe
 * how the parent's own program was given or run (`-e`, `-p`, `--input-type`,
 * `--test`, `--watch`, `-i`, `-c`). Passed on, those make the child run the
 * parent's code instead of its target, or fail to start
 * (`ERR_INPUT_TYPE_NOT_ALLOWED`).
 *
 * - A forked child: an inspector the parent listens with becomes one on a
 *   free port of the same host (two processes cannot share a port;
 *   `--inspect-brk` and `--inspect-wait` do not stop the child), so each
 *   child can be attached to.
 * - A thread: no inspector flag (a thread is inspected through its
 *   process), and `startWorker` leaves out what a `Worker` refuses (V8 and
 *   per-process flags such as `--max-old-space-size`, `--expose-gc`,
 *   `--title`, with which `new Worker` throws).
 */
export function defaultExecArgv(kind: 'fork' | 'thread', parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    const [flag, value] = splitFlag(arg);
    if (PROGRAM_FLAGS_WITH_VALUE.has(flag)) {
      if (value === undefined) i++; // its value is the next argument
      continue;
    }
    if (PROGRAM_FLAGS.has(flag)) continue;
    if (INSPECT_FLAGS.has(flag)) {
      if (kind === 'fork') out.push(`--inspect=${inspectHost(value)}:0`);
      continue;
    }
    if (flag === '--inspect-port' || flag === '--debug-port') {
      if (value === undefined) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * A `Worker` on `url` with `execArgv` as given, or by default the thread's
 * `defaultExecArgv` less every flag `new Worker` refuses (it names them).
 */
export function startWorker(url: URL, options: WorkerOptions, given: string[] | undefined): Worker {
  if (given) return new Worker(url, { ...options, execArgv: given });
  let execArgv = defaultExecArgv('thread');
  for (let attempt = 0; ; attempt++) {
    try {
      return new Worker(url, { ...options, execArgv });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || attempt > 1) throw error;
      // "Initiated Worker with invalid execArgv flags: --expose-gc, --title=abc"; a second refusal: none at all.
      const refused = new Set((error as Error).message.split(': ').slice(1).join(': ').split(', '));
      execArgv = attempt === 0 ? execArgv.filter((arg) => !refused.has(arg)) : [];
    }
  }
}

/** Options that give or run the parent's own program, with a value (`-e code` or `--eval=code`). */
const PROGRAM_FLAGS_WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '--input-type',
  '--watch-path',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-concurrency',
  '--test-shard',
  '--test-timeout',
  '--run',
]);

/** Options that run the parent's own program a certain way, without a value. */
const PROGRAM_FLAGS = new Set([
  '-i',
  '--interactive',
  '-c',
  '--check',
  '--test',
  '--test-only',
  '--watch',
  '--watch-preserve-output',
  '--experimental-test-coverage',
]);

const INSPECT_FLAGS = new Set(['--inspect', '--inspect-brk', '--inspect-wait']);

/** `--flag=value` → [flag, value]; a short or bare flag → [flag, undefined]. */
function splitFlag(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** The host of an `--inspect` value (`[host:]port`, `host`), 127.0.0.1 by default as Node's. */
function inspectHost(value: string | undefined): string {
  if (value === undefined || value === '') return '127.0.0.1';
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1); // an IPv6 address
  const colon = value.lastIndexOf(':');
  if (colon >= 0) return value.slice(0, colon);
  return /^\d+$/.test(value) ? '127.0.0.1' : value;
}
