/**
 * A Lock and an RLock contended by this thread, a worker thread and two
 * forked children at once, with timed acquires that give up, waits long
 * enough to be handed the lock, and holds across event-loop turns: no
 * update is lost and no two hold it at once (the final count is exact).
 */
import { expect } from 'chai';
import { concat, defer, from, ignoreElements, lastValueFrom } from 'rxjs';
import { Lock, RawValue, RLock } from '../../src/index.js';
import run from '../fixtures/shared-ops.js';
import { startChild } from '../support/children.js';

const TIMES = 1500;

async function ask(kind: 'fork' | 'thread' | 'here', op: string, ...args: unknown[]): Promise<number> {
  if (kind === 'here') return (await lastValueFrom(run(op, ...(args as never[])))) as number;
  const child = startChild('shared-ops', { args: [op, ...args], kind });
  return (await lastValueFrom(concat(child.output$, defer(() => from(child.join())).pipe(ignoreElements())))) as number;
}

describe('locks under contention from four places at once', function () {
  this.timeout(120_000);

  for (const Kind of [Lock, RLock]) {
    it(`${Kind.name}: this thread, a thread and two forked children, ${TIMES} timed tries each: the count is exact`, async () => {
      const lock = new Kind();
      const v = new RawValue('i', 0);
      const counts = await Promise.all(
        (['fork', 'fork', 'thread', 'here'] as const).map((kind) => ask(kind, 'contendedIncrement', v, lock, TIMES)),
      );
      expect(v.value).to.equal(counts.reduce((a, b) => a + b, 0));
      expect(
        counts.every((c) => c > 0),
        `each place got the lock some times: ${counts}`,
      ).to.equal(true);
      expect(lock.locked()).to.equal(false);
    });
  }
});
