/**
 * What the wire cannot carry is refused at the call, the same before and
 * after a queue is shared; what it can carry always arrives: deep values,
 * big items, and puts made by a child that never yields or exits at once.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { Pipe, Queue, SerializationError } from '../../src/index.js';
import type { PutReport } from '../fixtures/put-values.js';
import { makeValue, type ValueKind } from '../fixtures/value-kinds.js';
import { expectRejection, settles } from '../support/async.js';
import { startChild } from '../support/children.js';

const MB = 1024 * 1024;
const refused: [ValueKind, string][] = [
  ['deep', '$.job.n.n.n'],
  ['list', '$.next.next.next'],
  ['tooLarge', '$'],
];

describe('values the wire cannot carry, in one process', () => {
  for (const [kind, path] of refused) {
    it(`put() of a ${kind} value rejects SerializationError naming the path (${path}…), and enqueues nothing`, async () => {
      const q = new Queue<unknown>();
      const error = await expectRejection(q.put(makeValue(kind)), SerializationError);
      expect(error.path.startsWith(path), error.path.slice(0, 80)).to.equal(true);
      expect(await q.qsize()).to.equal(0);
    });

    it(`Connection.send() of a ${kind} value rejects SerializationError`, async () => {
      const [a, b] = Pipe<unknown>();
      await expectRejection(a.send(makeValue(kind)), SerializationError);
      await a.close();
      await b.close();
    });
  }

  it('the size refusal names the size and the limit', async () => {
    const error = await expectRejection(new Queue<unknown>().put(makeValue('tooLarge')), SerializationError);
    expect(error.message)
      .to.match(/268435457/)
      .and.match(/268435456|256 MiB/);
  });
});

for (const kind of ['fork', 'thread'] as const) {
  describe(`values the wire cannot carry, put in a ${kind} child`, function () {
    this.timeout(60_000);

    it('each put rejects SerializationError in the child, which goes on: a later put arrives and it exits 0', async () => {
      const q = new Queue<unknown>();
      const child = startChild('put-values', { args: [q, refused.map(([k]) => k)], kind });
      const reports = (await settles(firstValueFrom(child.output$), 30_000)) as PutReport[];
      expect(reports.map((r) => r.outcome)).to.deep.equal(refused.map(() => 'SerializationError'));
      for (const [i, r] of reports.entries()) expect(r.path?.startsWith(refused[i]?.[1] as string), r.path?.slice(0, 80)).to.equal(true);
      expect(await settles(q.get())).to.equal('good');
      expect(await child.join()).to.equal(0);
    });

    it('each send on a pipe end rejects SerializationError in the child; the reader gets the next message', async () => {
      const [reader, writer] = Pipe<unknown>(false);
      const child = startChild('send-values', { args: [writer, ['deep', 'list']], kind });
      const reports = (await settles(firstValueFrom(child.output$), 30_000)) as PutReport[];
      expect(reports.map((r) => r.outcome)).to.deep.equal(['SerializationError', 'SerializationError']);
      expect(await settles(reader.recv())).to.equal('good');
      expect(await child.join()).to.equal(0);
      await reader.close();
    });
  });
}

describe('big items across processes (fork)', function () {
  this.timeout(120_000);

  it('five 60 MB items put by a child (300 MB, more than one frame may carry) all reach the owner', async () => {
    const q = new Queue<Uint8Array>();
    const child = startChild('put-big', { args: [q, 5, 60] });
    for (let i = 0; i < 5; i++) {
      const item = await settles(q.get(), 60_000);
      expect(item.byteLength).to.equal(60 * MB);
      expect([item[0], item[item.byteLength - 1]]).to.deep.equal([i, i]);
    }
    expect(await child.join()).to.equal(0);
  });

  it('five 60 MB items put by the owner all reach a for-await consumer in a child', async () => {
    const q = new Queue<Uint8Array>();
    const child = startChild('take-big', { args: [q] });
    const item = new Uint8Array(60 * MB);
    for (let i = 0; i < 5; i++) await q.put(item.fill(i));
    await q.end();
    const got = (await settles(firstValueFrom(child.output$), 60_000)) as { size: number; first: number; last: number }[];
    expect(got).to.deep.equal([0, 1, 2, 3, 4].map((i) => ({ size: 60 * MB, first: i, last: i })));
    expect(await child.join()).to.equal(0);
  });
});

for (const kind of ['fork', 'thread'] as const) {
  describe(`resolved puts leave a ${kind} child without waiting for a turn of its event loop`, function () {
    this.timeout(60_000);

    it('a child putting in a loop that never yields: its items reach the owner while it still runs', async () => {
      const q = new Queue<number>();
      const child = startChild('put-then-block', { args: [q, 50_000], kind });
      for (let i = 0; i < 40_000; i++) expect(await settles(q.get(), 20_000)).to.equal(i);
      expect(child.isAlive(), 'the child is still blocked').to.equal(true);
      child.kill();
      await child.join();
    });

    it('a child that calls process.exit(0) right after its puts resolved loses none of them, even with much still queued in it', async () => {
      const q = new Queue<number>();
      // Enough that, at the exit, frames still wait in the child's socket queue (beyond the kernel's buffer).
      const n = 500_000;
      const child = startChild('put-then-exit', { args: [q, n], kind });
      expect(await child.join()).to.equal(0);
      expect(await q.qsize()).to.equal(n);
      let outOfOrder = 0;
      for (let i = 0; i < n; i++) if ((await q.getNowait()) !== i) outOfOrder++;
      expect(outOfOrder).to.equal(0);
    });
  });
}
