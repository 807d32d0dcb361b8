import { inspect } from 'node:util';
import { ProcessError } from '../errors.js';
import { decodeError, type ErrorInfo } from '../wire/error-codec.js';

/** The child's entry point: its frames sit under every target's, and say nothing about the user's code. */
const BOOTSTRAP = new URL('./bootstrap.js', import.meta.url).href;

/** The warning's code when a child's failure reached no one. */
export const PROCESS_FAILED = 'RXMP_PROCESS_FAILED';

/**
 * The error of a child that exited with `exitCode` (or was ended by
 * `signal`), built from what it reported: its stack is the child's, its
 * `cause` the child's error revived.
 */
export function processError(name: string, exitCode: number | null, signal: NodeJS.Signals | null, reported?: ErrorInfo): ProcessError {
  if (!reported) return new ProcessError(name, exitCode, signal);
  const info = withoutRxmpFrames(reported);
  return new ProcessError(name, exitCode, signal, info, { cause: decodeError(info) });
}

function withoutRxmpFrames(info: ErrorInfo): ErrorInfo {
  const stack =
    info.stack === undefined
      ? undefined
      : info.stack
          .split('\n')
          .filter((line) => !line.includes(BOOTSTRAP))
          .join('\n');
  const cause = info.cause && 'error' in info.cause ? { error: withoutRxmpFrames(info.cause.error) } : info.cause;
  return { ...info, ...(stack === undefined ? {} : { stack }), ...(cause === undefined ? {} : { cause }) };
}

/**
 * Whether a child's failure reached the user; if it did not, it is reported
 * on stderr (an `RxmpWarning`, code `RXMP_PROCESS_FAILED`), once.
 *
 * The rule, modelled on Node's unhandled-rejection check: the failure is
 * handled when, by the end of the event-loop turn in which the exit became
 * known (after that turn's promise callbacks, so code awaiting `join()` has
 * run), the user has ever called `join()`, read `p.error`, asked for
 * `p.result`, or had a subscriber on `p.output$` that the error was
 * delivered to. A child this side stopped with `terminate()`
 * or `kill()` is never reported: its end was asked for.
 */
export class FailureWatch {
  private handled = false;

  constructor(private readonly processName: string) {}

  /** The user has seen (or can no longer miss) the failure. */
  markHandled(): void {
    this.handled = true;
  }

  /** The exit is known, with `error` when it failed. */
  exited(error: ProcessError | undefined, askedFor: boolean): void {
    if (!error || askedFor) return;
    setImmediate(() => {
      if (!this.handled) report(this.processName, error);
    });
  }
}

function report(name: string, error: ProcessError): void {
  // The child's error shows everything it carried (stack, fields such as `code`, its cause chain); without one, ours does.
  const shown = error.cause instanceof Error ? `the child's error:\n${inspect(error.cause)}` : (error.stack ?? error.message);
  process.emitWarning(
    `process ${name} failed and nothing handled it (join(), p.error, p.result or an output$ subscriber): ${error.message}\n${shown}`,
    { type: 'RxmpWarning', code: PROCESS_FAILED },
  );
}
