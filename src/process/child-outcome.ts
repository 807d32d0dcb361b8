import type { ProcessError } from '../errors.js';
import type { Runtime } from '../transport/runtime.js';
import { decodeError, type ErrorInfo } from '../wire/error-codec.js';
import { FailureWatch, processError } from './child-failure.js';
import type { OutputMsg, ResultMsg } from './control.js';
import { importValue } from './handle-passing.js';
import { OutputRelay } from './output-relay.js';
import { LazyResult } from './result.js';

/**
 * What a child's run means to the parent's user: `output$`, `result`,
 * `p.error`, and the report of a failure nobody handled. Fed by the child's
 * messages, settled by its exit.
 */
export class ChildOutcome<Out, Res> {
  private readonly watch: FailureWatch;
  readonly output: OutputRelay<Out>;
  private readonly result = new LazyResult<Res>();
  /** What the target returned (or why it could not come back), until the exit settles `result`. */
  private returned: { value: Res } | { error: unknown } | undefined;
  private failure: ProcessError | undefined;

  constructor(
    private readonly name: string,
    /** Nobody listens to the output any more: ask the child to stop producing it. */
    stopOutput: () => void,
  ) {
    this.watch = new FailureWatch(name);
    this.output = new OutputRelay<Out>({ abandoned: stopOutput, errorSeen: () => this.watch.markHandled() });
  }

  fromChild(message: OutputMsg | ResultMsg, runtime: Runtime): void {
    if (message.t === 'result') {
      this.returned = 'value' in message ? { value: importValue(message.value, runtime) as Res } : { error: decodeError(message.error) };
    } else if (message.kind === 'N') this.output.next(importValue(message.value, runtime) as Out);
    else if (message.kind === 'E') this.output.error(decodeError(message.error));
    else this.output.complete();
  }

  /** `p.error`: looking at it handles a failure. */
  get error(): ProcessError | undefined {
    this.watch.markHandled();
    return this.failure;
  }

  /** `p.result`: asking for it handles a failure. */
  resultPromise(): Promise<Res> {
    this.watch.markHandled();
    return this.result.get();
  }

  /** `join()` was called. */
  joined(): void {
    this.watch.markHandled();
  }

  /**
   * The child exited (and its links are gone): settles output and result,
   * and has an unhandled failure reported unless this side asked for the
   * end (`kill()`, `terminate()`). Returns the failure, if any.
   */
  exited(exitCode: number, signal: NodeJS.Signals | null, reported: ErrorInfo | undefined, askedFor: boolean): ProcessError | undefined {
    const failure = exitCode !== 0 ? processError(this.name, exitCode, signal, reported) : undefined;
    this.failure = failure;
    if (failure) {
      this.output.error(failure);
      this.result.settle({ error: failure });
    } else {
      this.output.complete();
      this.result.settle(this.returned ?? { value: undefined as Res });
    }
    this.watch.exited(failure, askedFor);
    return failure;
  }
}
