/**
 * A resolved put survives its producer: on the shared-memory rings a put (or
 * a pipe send) resolves once its item is in shared memory, where the owner
 * finds it after the producer's death. Producers — fork children killed with
 * SIGKILL, worker threads terminated — are stopped at random moments while
 * they put as fast as they can; every put that had resolved arrives, exactly
 * once, in order. (With RXMP_RINGS=off these fail: the socket and port links
 * batch a turn's puts after they resolved.)
 */
import { expect } from 'chai';
import { Empty, EOFError, Pipe, Queue, RawValue } from '../../src/index.js';
import { startChild } from '../support/children.js';
import { itKills } from '../support/kill-runs.js';

/** Adds to `got` what `take` gives until it says nothing more is coming. */
async function drain(got: number[], take: () => Promise<number | undefined>): Promise<void> {
  for (let n = await take(); n !== undefined; n = await take()) got.push(n);
}

/** The items are 0, 1, 2, … with no gap and no repeat, at least `resolved` of them. */
function expectEveryResolvedOnce(got: number[], resolved: number): void {
  expect(resolved, 'the producer had put something before it was killed').to.be.greaterThan(0);
  expect(got.length, `${resolved} puts had resolved`).to.be.at.least(resolved);
  const wrong = got.findIndex((n, i) => n !== i);
  expect(wrong, `item ${wrong} is ${got[wrong]}: an item lost or repeated`).to.equal(-1);
}

for (const kind of ['fork', 'thread'] as const)
  describe(`a resolved put survives its producer (${kind === 'fork' ? 'fork child killed with SIGKILL' : 'worker thread terminated'}, shared-memory rings)`, function () {
    this.timeout(120_000);

    for (const maxsize of [100, Infinity]) {
      itKills(`Queue({ maxsize: ${maxsize} }): every put that resolved before the kill arrives once, in order`, async () => {
        for (let round = 0; round < 3; round++) {
          const q = new Queue<number>({ maxsize });
          const resolved = new RawValue('i', 0);
          const child = startChild('put-and-count', { args: [q, resolved], kind });
          const got: number[] = [];
          // Take items while it puts; kill it at a moment of its stream that changes from round to round.
          const killAt = 2_000 + Math.floor(Math.random() * 20_000);
          while (got.length < killAt) got.push(await q.get());
          child.kill();
          const code = await child.join();
          if (kind === 'fork') expect(code).to.equal(-9);
          await drain(got, async () => {
            try {
              return await q.get({ timeout: got.length < resolved.value ? 10_000 : 500 });
            } catch (error) {
              if (error instanceof Empty) return undefined;
              throw error;
            }
          });
          expectEveryResolvedOnce(got, resolved.value);
          await q.close();
        }
      });
    }

    itKills('Pipe: every send that resolved before the kill is received once, in order, then EOFError', async () => {
      for (let round = 0; round < 3; round++) {
        const [reader, writer] = Pipe<number>(false);
        const resolved = new RawValue('i', 0);
        const child = startChild('put-and-count', { args: [writer, resolved], kind });
        await writer.close();
        const got: number[] = [];
        const killAt = 2_000 + Math.floor(Math.random() * 20_000);
        while (got.length < killAt) got.push(await reader.recv());
        child.kill();
        await child.join();
        await drain(got, async () => {
          try {
            return await reader.recv();
          } catch (error) {
            if (error instanceof EOFError) return undefined;
            throw error;
          }
        });
        expectEveryResolvedOnce(got, resolved.value);
        await reader.close();
      }
    });
  });
