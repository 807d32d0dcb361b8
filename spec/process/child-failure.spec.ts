import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { lastValueFrom } from 'rxjs';
import { ProcessError } from '../../src/index.js';
import { FailureWatch, PROCESS_FAILED } from '../../src/process/child-failure.js';
import { expectRejection, sleep, until } from '../support/async.js';
import { startChild } from '../support/children.js';
import { rxmpWarnings } from '../support/warnings.js';

type Warning = Error & { code?: string };
const failedOf = (warnings: Warning[], name: string): Warning[] =>
  warnings.filter((w) => w.code === 'RXMP_PROCESS_FAILED' && w.message.startsWith(`process ${name} `));

/** Long enough after the exit for a report to have been made (it is decided in the exit's own turn). */
const AFTER_EXIT_MS = 100;

describe('Process failures', function () {
  this.timeout(30_000);

  for (const kind of ['fork', 'thread'] as const) {
    describe(`kind: '${kind}'`, () => {
      it('p.error is a ProcessError with the child’s frames in its stack and the child’s error, fields and cause chain as its cause', async () => {
        const p = startChild('fails', { args: ['boom'], kind, name: 'worker' });
        expect(await p.join()).to.equal(1);
        const error = p.error as ProcessError;
        expect(error).to.be.instanceOf(ProcessError);
        expect(error.stack).to.match(/^ProcessError: process worker exited with code 1: TypeError: boom\n\s+at /);
        expect(error.stack).to.contain('fails.js');
        expect(error.stack).not.to.contain('bootstrap.js');
        const cause = error.cause as TypeError & { code?: string; cause?: Error & { cause?: Error & { code?: string } } };
        expect(cause).to.be.instanceOf(TypeError);
        expect([cause.name, cause.message, cause.code]).to.deep.equal(['TypeError', 'boom', 'E_BOOM']);
        expect(cause.stack).to.contain('fails.js');
        expect(cause.cause?.message).to.equal('while saving');
        expect(cause.cause?.cause).to.be.instanceOf(RangeError);
        expect(cause.cause?.cause?.code).to.equal('EQUOTA');
      });

      it('an unhandled failure is reported once as an RxmpWarning showing the child’s stack, fields and causes', async () => {
        const warnings = rxmpWarnings();
        try {
          const name = `unhandled-${kind}`;
          startChild('fails', { args: ['boom'], kind, name });
          await until(() => failedOf(warnings.seen(), name).length > 0, 20_000);
          await sleep(AFTER_EXIT_MS);
          const [report, ...more] = failedOf(warnings.seen(), name);
          expect(more).to.have.length(0);
          expect(report?.message).to.contain(`process ${name} exited with code 1: TypeError: boom`);
          expect(report?.message).to.contain('fails.js');
          expect(report?.message).to.contain("code: 'E_BOOM'");
          expect(report?.message).to.contain('while saving');
          expect(report?.message).to.contain("code: 'EQUOTA'");
        } finally {
          warnings.stop();
        }
      });

      it('a failure is not reported when join() was called, p.error was read, p.result was asked for, or output$ saw the error', async () => {
        const warnings = rxmpWarnings();
        try {
          const joined = startChild('fails', { args: ['x'], kind, name: `joined-${kind}` });
          const joining = joined.join();
          const read = startChild('fails', { args: ['x'], kind, name: `read-${kind}` });
          expect(read.error).to.equal(undefined); // looking at it, even before the exit, is handling it
          const asked = startChild('fails', { args: ['x'], kind, name: `asked-${kind}` });
          const rejection = expectRejection(asked.result, ProcessError);
          const observed = startChild('fails', { args: ['x'], kind, name: `observed-${kind}` });
          const streamed = lastValueFrom(observed.output$).catch((error: unknown) => error);
          await joining;
          expect((await rejection).exitCode).to.equal(1);
          expect(await streamed).to.be.instanceOf(ProcessError);
          await until(() => read.exitCode !== null);
          await sleep(AFTER_EXIT_MS);
          for (const p of [joined, read, asked, observed]) expect(failedOf(warnings.seen(), p.name), p.name).to.have.length(0);
        } finally {
          warnings.stop();
        }
      });

      it('a child this side stopped with kill() is not reported', async () => {
        const warnings = rxmpWarnings();
        try {
          const p = startChild('sleepy', { args: [60_000], kind, name: `killed-${kind}` });
          p.kill();
          await until(() => p.exitCode !== null);
          await sleep(AFTER_EXIT_MS);
          expect(failedOf(warnings.seen(), p.name)).to.have.length(0);
        } finally {
          warnings.stop();
        }
      });

      it('an uncaught exception from a timer the target left after it returned fails the child the same way', async () => {
        const warnings = rxmpWarnings();
        try {
          const name = `late-${kind}`;
          const p = startChild('fails', { export: 'crashAfterReturn', args: [30], kind, name });
          await until(() => failedOf(warnings.seen(), name).length > 0, 20_000);
          expect(failedOf(warnings.seen(), name)[0]?.message).to.contain('SyntaxError: uncaught after return');
          expect(await p.join()).to.equal(1);
          expect(p.error?.cause).to.be.instanceOf(SyntaxError);
          expect(p.error?.stack).to.contain('fails.js');
        } finally {
          warnings.stop();
        }
      });

      it('p.result is never an unhandled rejection when nobody asked for it', async () => {
        const rejections: unknown[] = [];
        const listener = (reason: unknown): void => void rejections.push(reason);
        process.on('unhandledRejection', listener);
        const warnings = rxmpWarnings(); // the failure itself is reported, as a warning
        try {
          const p = startChild('fails', { args: ['x'], kind, name: `ignored-${kind}` });
          await until(() => failedOf(warnings.seen(), p.name).length > 0, 20_000);
          await sleep(AFTER_EXIT_MS);
          expect(rejections.filter((r) => r instanceof ProcessError)).to.have.length(0);
        } finally {
          process.off('unhandledRejection', listener);
          warnings.stop();
        }
      });
    });

    it(`a parent that ignores a failing ${kind} child prints the child’s error on its stderr and still exits 0`, async () => {
      const program = fileURLToPath(new URL('../fixtures/ignores-failure.js', import.meta.url));
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [program, kind], { timeout: 30_000, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
        });
      });
      expect(run.code).to.equal(0);
      expect(run.stderr).to.contain('[RXMP_PROCESS_FAILED] RxmpWarning: process ignored failed');
      expect(run.stderr).to.contain('TypeError: boom');
      expect(run.stderr).to.contain('fails.js');
      expect(run.stderr).to.contain("code: 'E_BOOM'");
    });
  }
});

/** The reports of `name` seen while `body` runs, and a moment after. */
async function reportsOf(name: string, body: () => void | Promise<void>): Promise<number> {
  const warnings = rxmpWarnings();
  try {
    await body();
    await sleep(50);
    return warnings.seen().filter((w) => w.code === PROCESS_FAILED && w.message.startsWith(`process ${name} `)).length;
  } finally {
    warnings.stop();
  }
}

describe('FailureWatch', () => {
  const failure = (name: string) => new ProcessError(name, 1, null, { name: 'TypeError', message: 'boom' });

  it('reports a failure nobody handled by the end of the exit’s turn, once', async () => {
    expect(await reportsOf('w1', () => new FailureWatch('w1').exited(failure('w1'), false))).to.equal(1);
  });

  it('does not report one handled in the exit’s own turn (a promise callback, as code awaiting join() is)', async () => {
    const watch = new FailureWatch('w2');
    expect(
      await reportsOf('w2', () => {
        watch.exited(failure('w2'), false);
        void Promise.resolve().then(() => watch.markHandled());
      }),
    ).to.equal(0);
  });

  it('reports one handled only in a later turn (a timer), as Node reports a rejection handled too late', async () => {
    const watch = new FailureWatch('w3');
    expect(
      await reportsOf('w3', () => {
        watch.exited(failure('w3'), false);
        setTimeout(() => watch.markHandled(), 10);
      }),
    ).to.equal(1);
  });

  it('never reports an end this side asked for, nor a success', async () => {
    expect(await reportsOf('w4', () => new FailureWatch('w4').exited(failure('w4'), true))).to.equal(0);
    expect(await reportsOf('w5', () => new FailureWatch('w5').exited(undefined, false))).to.equal(0);
  });
});
