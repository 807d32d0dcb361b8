/**
 * Exactly once across SIGKILL: a remote consumer acknowledges an item (its
 * bytes in the kernel) before its application sees it, so a consumer killed
 * at any moment never leaves behind, for another consumer, an item its
 * application already had.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoinableQueue, Queue } from '../src/index.js';
import { settles, sleep } from './support/async.js';
import { startChild } from './support/children.js';

/** The lines a consumer recorded, surviving its death. */
function records(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
    : [];
}

describe('plain Queue delivery across SIGKILL', function () {
  this.timeout(60_000);
  const files: string[] = [];
  const fileFor = (name: string): string => {
    const file = join(tmpdir(), `queue-delivery-${process.pid}-${name}-${Math.random().toString(36).slice(2)}.log`);
    files.push(file);
    return file;
  };
  afterEach(() => {
    for (const file of files.splice(0)) rmSync(file, { force: true });
  });

  for (const [kind, runs] of [
    ['fork', 3],
    ['thread', 3],
  ] as const)
    for (let run = 1; run <= runs; run++) {
      it(`a ${kind} consumer killed mid-stream: no item reaches two applications, and none is lost (run ${run})`, async () => {
        const total = 400;
        const q = new Queue<number>({ maxsize: 64 });
        const file = fileFor(`victim-${kind}-${run}`);
        const victim = startChild('record-each', { args: [q, file, { prefetch: 16, spinMs: 2 }], kind });
        const producing = (async () => {
          for (let i = 0; i < total; i++) await q.put(i);
        })();
        // Kill it while it works through a window of fetched items.
        while (records(file).length < 40 + run * 13) await sleep(1);
        victim.kill();
        await victim.join();
        const seenByVictim = records(file).map((line) => Number(line.split(' ')[1]));
        // Another consumer takes the rest (the producer still waits for space).
        const rest: number[] = [];
        const draining = (async () => {
          for await (const n of q) rest.push(n);
        })();
        await producing;
        await q.end();
        await draining;

        const twice = seenByVictim.filter((n) => rest.includes(n));
        expect(twice, 'items the killed consumer’s application had, delivered again').to.deep.equal([]);
        const all = [...seenByVictim, ...rest].sort((a, b) => a - b);
        const missing = [...Array(total).keys()].filter((n) => !all.includes(n));
        // The only window: an item whose acknowledgement had left and that was being handed over when the kill came.
        expect(missing.length, `lost: ${missing.join(', ')}`).to.be.at.most(1);
      });
    }
});

describe('JoinableQueue delivery across SIGKILL', function () {
  this.timeout(60_000);
  const files: string[] = [];
  afterEach(() => {
    for (const file of files.splice(0)) rmSync(file, { force: true });
  });

  for (let run = 1; run <= 3; run++) {
    it(`a forked consumer killed mid-stream: what it got and had not marked done comes again, and of what it marked done only its last turn's may (run ${run})`, async () => {
      const total = 400;
      const q = new JoinableQueue<number>({ maxsize: 64 });
      const file = join(tmpdir(), `queue-delivery-${process.pid}-joinable-${run}-${Math.random().toString(36).slice(2)}.log`);
      files.push(file);
      const victim = startChild('record-each', { args: [q, file, { prefetch: 16, spinMs: 2, joinable: true }] });
      const producing = (async () => {
        for (let i = 0; i < total; i++) await q.put(i);
      })();
      while (records(file).length < 80 + run * 26) await sleep(1);
      victim.kill();
      await victim.join();
      const lines = records(file);
      const got = lines.filter((l) => l.startsWith('got ')).map((l) => Number(l.slice(4)));
      const done = lines.filter((l) => l.startsWith('done ')).map((l) => Number(l.slice(5)));
      const rest: number[] = [];
      const draining = (async () => {
        for await (const n of q) {
          rest.push(n);
          q.taskDone();
        }
      })();
      await producing;
      await settles(q.join(), 30_000);
      await q.end();
      await draining;

      // A done leaves with the process's next write (by the end of its turn): only the last ones can be lost.
      const again = done.filter((n) => rest.includes(n));
      expect(again, 'marked done and redelivered: only the most recent').to.deep.equal(done.slice(done.length - again.length));
      expect(again.length, 'at most one turn of work (its prefetch window, and what came meanwhile)').to.be.at.most(32);
      const notDone = got.filter((n) => !done.includes(n));
      expect(
        notDone.filter((n) => !rest.includes(n)),
        'got and not done, never redelivered',
      ).to.deep.equal([]);
      expect(new Set([...done, ...rest]).size, 'every item done').to.equal(total);
    });
  }
});
