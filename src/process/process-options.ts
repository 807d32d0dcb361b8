import { checkOptions, quote } from '../handle/options.js';
import type { ArgsOption, Target, UntypedTarget } from './target-types.js';
import { resolveTarget } from './target.js';

/** Every option of a `Process` but `args` (typed from the target by `ProcessOptions`). */
export interface ProcessBaseOptions {
  /** The module file to run: a file URL or a path (relative paths are resolved against the working directory). */
  target: URL | string;
  /** The export to call with `args`. @default 'default' */
  export?: string;
  /** A forked process (`child_process.fork`) or a worker thread. @default 'fork' */
  kind?: 'fork' | 'thread';
  /** Shown in errors (and as the process title). @default 'Process-N' */
  name?: string;
  /** Extra environment variables for the child (added to this process's). */
  env?: Record<string, string>;
  /**
   * Node options for the child, used as given. @default for a forked child,
   * this process's `execArgv` less the options that only describe how this
   * process's own program runs (`-e`, `--input-type`, `--test`, `--watch`…),
   * an inspector moved to a free port; a thread inherits what of this
   * thread's options a `Worker` accepts (see `exec-argv`).
   */
  execArgv?: string[];
}

/**
 * A `Process`'s options. `F` is the target's signature (`typeof worker`):
 * `args` is then checked against its parameters, and required when it has any.
 */
export type ProcessOptions<F extends Target = UntypedTarget> = ProcessBaseOptions & ArgsOption<F>;

/** A `Process`'s options, checked (a bad one throws `TypeError` quoting it) and with their defaults. */
export interface CheckedOptions {
  target: URL;
  exportName: string;
  args: unknown[];
  kind: 'fork' | 'thread';
  name: string;
  env: Record<string, string> | undefined;
  execArgv: string[] | undefined;
}

let counter = 0;

export function checkProcessOptions(options: ProcessBaseOptions & { args?: unknown }): CheckedOptions {
  type Checked = ProcessBaseOptions & { args?: unknown };
  const o = checkOptions<Checked>(options as Checked, 'Process options', ['target', 'export', 'args', 'kind', 'name', 'env', 'execArgv']);
  const target = resolveTarget(o.target);
  if (o.export !== undefined && typeof o.export !== 'string') throw new TypeError(`export must be a string, got ${quote(o.export)}`);
  if (o.args !== undefined && !Array.isArray(o.args)) throw new TypeError(`args must be an array, got ${quote(o.args)}`);
  if (o.kind !== undefined && o.kind !== 'fork' && o.kind !== 'thread') {
    throw new TypeError(`kind must be 'fork' or 'thread', got ${quote(o.kind)}`);
  }
  counter++;
  return {
    target,
    exportName: o.export ?? 'default',
    args: (o.args as unknown[] | undefined) ?? [],
    kind: o.kind ?? 'fork',
    name: o.name ?? `Process-${counter}`,
    env: o.env,
    execArgv: o.execArgv,
  };
}
