/**
 * Threads that use shared memory and doorbells come and go without harming
 * the process: each program runs as a process of its own, so that a crash
 * fails its spec rather than the run.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { needsAddon } from '../../support/skip.js';

function run(fixture: string, args: string[] = []): Promise<{ code: number | string | null; stderr: string }> {
  const file = fileURLToPath(new URL(`../../fixtures/${fixture}.js`, import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { timeout: 90_000, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
      const failed = error as (Error & { code?: number | string; signal?: string }) | null;
      resolve({ code: failed ? (failed.signal ?? failed.code ?? null) : 0, stderr });
    });
  });
}

describe('threads using shared memory come and go', function () {
  this.timeout(120_000);

  it('a thread ending closes its doorbell once: no other thread has a descriptor closed under it (EBADF)', async function () {
    needsAddon(this);
    // Node closes at a worker's end the descriptors it opened with fs.open; a descriptor also owned by a
    // stream was closed twice, the second time under whatever another thread had opened with that number.
    const { code, stderr } = await run('threads-come-and-go', ['20']);
    expect(stderr).to.not.match(/EBADF|ERR_INVALID_FD_TYPE|Assertion failed/);
    expect(code, stderr).to.equal(0);
  });

  it('a worker thread that is the only one to load the addon ends cleanly, its shared memory freed (no crash, no warning)', async function () {
    needsAddon(this);
    // V8 frees a thread's mappings as its isolate goes, after Node has unloaded the addons that thread loaded.
    const { code, stderr } = await run('addon-only-in-a-worker');
    expect(stderr, 'no "closed but not opened in unmanaged mode" warning').to.equal('');
    expect(code, stderr).to.equal(0);
  });

  it('a worker thread terminated while it holds shared memory frees it too (its descriptors are closed)', async function () {
    needsAddon(this);
    const { code, stderr } = await run('addon-only-in-a-worker', ['terminate']);
    expect(stderr).to.equal('');
    expect(code, stderr).to.equal(0);
  });
});
