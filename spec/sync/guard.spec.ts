/**
 * A shared primitive's guard word left held by a holder stopped in the
 * middle of a step (SIGKILL, a terminated worker) must not wedge everyone:
 * the guard is taken over (with a warning) once its holder is known gone.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { Semaphore } from '../../src/index.js';
import { kSemPlace } from '../../src/sync/semaphore.js';
import { bellId } from '../../src/transport/shm/thread-bells.js';
import { rxmpWarnings } from '../support/warnings.js';

function guardOf(sem: Semaphore): Int32Array {
  const { mapping, offset } = sem[kSemPlace];
  return new Int32Array(mapping.buffer, offset, 1);
}

describe('shared-memory guards', function () {
  this.timeout(30_000);

  it('a guard held by a process that is gone is taken over: the semaphore goes on, with RXMP_GUARD_TAKEN_OVER', async () => {
    const child = fork('-e', ['0'], { execArgv: [], stdio: 'ignore' });
    const pid = child.pid as number;
    await once(child, 'exit');
    const sem = new Semaphore(1);
    const warnings = rxmpWarnings();
    try {
      Atomics.store(guardOf(sem), 0, bellId(pid, 0)); // as if it died in the middle of a step
      expect(sem.tryAcquire()).to.equal(true);
      expect(sem.getValue()).to.equal(0);
      expect(Atomics.load(guardOf(sem), 0)).to.equal(0);
      expect((await warnings.next()).map((w) => w.code)).to.include('RXMP_GUARD_TAKEN_OVER');
    } finally {
      warnings.stop();
    }
  });

  it('a guard held by a thread of this process for over a second is taken over (it was stopped there)', async () => {
    const sem = new Semaphore(2);
    const warnings = rxmpWarnings();
    try {
      Atomics.store(guardOf(sem), 0, bellId(process.pid, 7)); // another thread of this process
      const started = Date.now();
      expect(sem.tryAcquire()).to.equal(true);
      expect(Date.now() - started, 'it waited its bound first').to.be.at.least(900);
      expect((await warnings.next()).map((w) => w.code)).to.include('RXMP_GUARD_TAKEN_OVER');
    } finally {
      warnings.stop();
    }
  });
});
