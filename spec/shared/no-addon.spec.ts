import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('shared memory without the native addon', () => {
  it('works in one process and between threads; across processes it throws NativeUnavailableError saying why and how to fix it', async function () {
    this.timeout(60_000);
    const file = fileURLToPath(new URL('../fixtures/no-addon.js', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [file], { env: { ...process.env, RXMP_NATIVE: 'off' }, timeout: 50_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    );
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(report.sharedMemory).to.match(
      /^NativeUnavailableError: SharedMemory needs rxmp's native addon.*RXMP_NATIVE=off.*npm rebuild rxmp/,
    );
    expect(report.local).to.equal(2);
    expect(report.thread).to.equal(1000);
    expect(report.fork).to.match(/^NativeUnavailableError: a Value passed to another process needs/);
    expect(report.lockTimeout).to.equal(false);
  });
});
