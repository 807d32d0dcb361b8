import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Queue } from '../../src/index.js';
import { warningsDuring } from '../support/warnings.js';

type Testing = { TestScheduler: new (assert: (a: unknown, b: unknown) => void) => TestScheduler };

describe('one rxjs', () => {
  let dir: string;
  let otherTesting: Testing;
  const require = createRequire(import.meta.url);

  before(() => {
    // A second copy of rxjs, as a folder install or `npm link` would give: its own files, so its own modules.
    dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-rxjs-'));
    const ours = join(require.resolve('rxjs'), '..', '..', '..');
    const copy = join(dir, 'node_modules', 'rxjs');
    mkdirSync(join(copy, 'dist'), { recursive: true });
    cpSync(join(ours, 'package.json'), join(copy, 'package.json'));
    cpSync(join(ours, 'dist', 'cjs'), join(copy, 'dist', 'cjs'), { recursive: true });
    otherTesting = createRequire(join(dir, 'app.js'))('rxjs/testing') as Testing;
  });

  after(() => {
    // Later specs must not see the second copy.
    for (const path of Object.keys(require.cache)) if (path.startsWith(dir)) delete require.cache[path];
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a scheduler of another copy of rxjs, naming both and the fix', () => {
    const foreign = new otherTesting.TestScheduler(() => {});
    expect(() => new Queue({ scheduler: foreign as unknown as SchedulerLike })).to.throw(TypeError, /another copy of rxjs.*npm ls rxjs/);
  });

  it("refuses to keep time on its own clock inside another copy's TestScheduler.run", () => {
    const foreign = new otherTesting.TestScheduler(() => {});
    expect(() => foreign.run(() => new Queue({ maxsize: 1 }))).to.throw(TypeError, /inside a TestScheduler\.run of another copy/);
  });

  it('warns once that two copies are loaded, and goes on', async () => {
    const warnings = await warningsDuring(async () => {
      new Queue();
      new Queue();
    });
    expect(warnings.filter((w) => w.code === 'RXMP_TWO_RXJS')).to.have.length(1);
  });

  it('takes its own copy’s schedulers and a plain SchedulerLike', () => {
    expect(() => new Queue({ scheduler: new TestScheduler(() => {}) })).to.not.throw();
    const plain: SchedulerLike = { now: () => 0, schedule: () => ({ unsubscribe() {}, closed: false }) as never };
    expect(() => new Queue({ scheduler: plain })).to.not.throw();
  });
});
