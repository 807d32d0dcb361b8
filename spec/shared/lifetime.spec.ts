import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { SharedArray, SharedMemory, type Value } from '../../src/index.js';
import { startChild } from '../support/children.js';
import { needsAddon } from '../support/skip.js';
import '../support/shm-leaks.js';
import { ourSegments } from '../support/shm-leaks.js';

function runRoot(fixture: string): Promise<string> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR; // a root of its own, not a member of the tree this spec runs in
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [fileURLToPath(new URL(`../fixtures/${fixture}.js`, import.meta.url))],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

describe('shared memory lifetime', () => {
  it("the tree's root unlinks what its tree left (its own and a SIGKILLed child's) when it exits; track: false outlives it", async function () {
    this.timeout(60_000);
    const out = JSON.parse((await runRoot('tree-root')).trim().split('\n').pop() ?? '{}') as {
      tracked: string;
      untracked: string;
      childs: string;
      tree: string;
    };
    const left = ourSegments();
    try {
      expect(left).to.not.include(out.tracked);
      expect(left).to.not.include(out.childs);
      expect(left).to.include(out.untracked);
    } finally {
      new SharedMemory({ name: out.untracked }).unlink();
    }
    // Its own tree's directory is gone (other runs on this machine may have trees of their own meanwhile).
    expect(out.tree).to.match(/rxmp-tree-/);
    expect(existsSync(out.tree)).to.equal(false);
  });

  it('a child SIGKILLed while writing an array leaves its writes here, nothing in /dev/shm, and the array working', async () => {
    const a = new SharedArray('i', 1);
    const child = startChild('shared-ops', { args: ['atomicAdd', a, 0, 1e9] });
    while (Atomics.load(a, 0) === 0) await new Promise((r) => setTimeout(r, 5));
    child.kill();
    await child.join();
    const seen = Atomics.load(a, 0);
    expect(seen).to.be.greaterThan(0);
    Atomics.add(a, 0, 1);
    expect(a[0]).to.equal(seen + 1);
    expect(a.getLock().tryAcquire()).to.equal(true);
    a.getLock().release();
  });

  it('a Value made by a worker thread that has ended since still passes to a forked child (its memory stays open for it)', async function () {
    needsAddon(this);
    this.timeout(60_000);
    const thread = startChild('returns', { export: 'makeValue', args: [42], kind: 'thread' });
    const made = (await thread.result) as Value;
    expect(await thread.join()).to.equal(0);
    // The thread that made it is gone: Node ran its exit, closing what it had opened.
    const child = startChild('shared-ops', { args: ['getValue', made] });
    expect(await lastValueFrom(child.output$)).to.equal(42);
    expect(await child.join()).to.equal(0);
  });

  it('unlink() by an attacher is the end of the name; the creator still reads its mapping', () => {
    const shm = new SharedMemory({ create: true, size: 16 });
    shm.buf[0] = 9;
    const other = new SharedMemory({ name: shm.name });
    other.unlink();
    expect(ourSegments()).to.not.include(shm.name);
    expect(shm.buf[0]).to.equal(9);
    other.close();
    shm.close();
  });
});
