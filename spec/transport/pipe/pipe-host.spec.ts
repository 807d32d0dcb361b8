/**
 * The pipe host with two runtimes in one process, joined in memory: ends
 * moving between them, closing, and a peer that is gone — what otherwise
 * only forked children reach.
 */
import { expect } from 'chai';
import { ClosedError, type Connection, EOFError, Pipe } from '../../../src/index.js';
import type { Runtime } from '../../../src/transport/runtime.js';
import { expectRejection, settles, until } from '../../support/async.js';
import { memoryRuntimes, pass } from '../../support/runtimes.js';
import { held, loseOnTheWay, NOTHING_HELD } from './two-runtimes.js';

describe('PipeHost (two runtimes joined in memory)', () => {
  it('an end moved to the other runtime talks to the peer left here, both ways, then EOF', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const [a, b] = Pipe<number>();
    const far = await pass(b, here, there);
    expect(b.closed, 'the object left behind is spent').to.equal(true);
    await a.send(1);
    expect(await settles(far.recv())).to.equal(1);
    await far.send(2);
    expect(await settles(a.recv())).to.equal(2);
    await far.close();
    await settles(expectRejection(a.recv(), EOFError));
    await settles(a.close());
  });

  it('messages sent before the move go with the end, in order, ahead of later ones', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    for (let i = 0; i < 3; i++) await writer.send(i);
    const far = await pass(reader, here, there);
    for (let i = 3; i < 6; i++) await writer.send(i);
    const got: number[] = [];
    for (let i = 0; i < 6; i++) got.push(await settles(far.recv()));
    expect(got).to.deep.equal([0, 1, 2, 3, 4, 5]);
    await writer.close();
    await settles(expectRejection(far.recv(), EOFError));
  });

  it('an end moved on again (here → there → a third runtime) loses nothing in flight', async () => {
    const [here, there, third] = memoryRuntimes(3) as [Runtime, Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    const far = await pass(reader, here, there);
    await writer.send(1);
    expect(await settles(far.recv())).to.equal(1);
    await writer.send(2); // may still be on its way when the end moves on
    const farther = await pass(far, there, third);
    expect(far.closed).to.equal(true);
    await writer.send(3);
    expect([await settles(farther.recv()), await settles(farther.recv())]).to.deep.equal([2, 3]);
    await writer.close();
    await settles(expectRejection(farther.recv(), EOFError));
  });

  it('closing the reader there makes the writer’s sends here reject ClosedError (broken pipe) once close() resolved', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    const far = await pass(reader, here, there);
    await writer.send(1);
    await settles(far.recv());
    await settles(far.close());
    const error = await settles(expectRejection(writer.send(2), ClosedError));
    expect(error.resource).to.equal('peer');
  });

  it('a writer’s close() there resolves once the reader here has every message and the end', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    const far = await pass(writer, here, there);
    for (let i = 0; i < 10; i++) far.next(i);
    await settles(far.close());
    expect(await reader.poll()).to.equal(true); // already here: no waiting
    const got: number[] = [];
    for await (const v of reader) got.push(v);
    expect(got).to.deep.equal([...Array(10).keys()]);
  });

  it('the peer’s runtime going away: the reader here sees EOF after what arrived, the writer a ClosedError', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const [a, b] = Pipe<number>();
    const far = await pass(b, here, there);
    await far.send(7);
    expect(await settles(a.recv())).to.equal(7);
    await there.close();
    await settles(expectRejection(a.recv(), EOFError));
    await settles(expectRejection(a.send(1), ClosedError));
  });

  it('an end lost on its way (its receiver exited first): the peer here sees EOF and a broken pipe', async () => {
    const [here] = memoryRuntimes() as [Runtime, Runtime];
    const [a, b] = Pipe<number>();
    await a.send(1); // waits in b's reader, and is lost with it
    await loseOnTheWay(b, here);
    await settles(expectRejection(a.recv(), EOFError));
    const error = await settles(expectRejection(a.send(2), ClosedError));
    expect(error.message).to.contain('broken pipe');
  });

  it('forgets every pipe once both its ends are closed: many short-lived pipes shared and closed leave nothing behind', async () => {
    const [here, there] = memoryRuntimes() as [Runtime, Runtime];
    const open: Connection<number>[] = [];
    for (let i = 0; i < 40; i++) {
      const [a, b] = Pipe<number>(i % 2 === 0);
      const [local, far] = i % 4 < 2 ? [a, await pass(b, here, there)] : [b, await pass(a, here, there)];
      const [writer, reader] = local.writable ? [local, far] : [far, local];
      await writer.send(i);
      expect(await settles(reader.recv())).to.equal(i);
      open.push(local, far);
    }
    await settles(Promise.all(open.map((c) => c.close())));
    await until(() => JSON.stringify([held(here), held(there)]) === JSON.stringify([NOTHING_HELD, NOTHING_HELD])).catch(() => undefined);
    expect({ here: held(here), there: held(there) }).to.deep.equal({ here: NOTHING_HELD, there: NOTHING_HELD });
  });

  it('forgets an end lost on its way once its peer is closed', async () => {
    const [here] = memoryRuntimes() as [Runtime, Runtime];
    const [a, b] = Pipe<number>();
    await loseOnTheWay(b, here);
    await settles(expectRejection(a.recv(), EOFError));
    await settles(a.close());
    await until(() => held(here).ends === 0 && held(here).pipes === 0).catch(() => undefined);
    expect(held(here)).to.deep.equal(NOTHING_HELD);
  });

  it('a writer moved after its reader closed rejects ClosedError at its new home at once, though the reader’s home has forgotten the pipe', async () => {
    const [here, there, third] = memoryRuntimes(3) as [Runtime, Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    const far = await pass(writer, here, there);
    await far.send(1);
    expect(await settles(reader.recv())).to.equal(1);
    await settles(reader.close());
    await settles(expectRejection(far.send(2), ClosedError));
    await until(() => held(here).ends === 0);
    const farther = await pass(far, there, third);
    await settles(expectRejection(farther.send(3), ClosedError));
    await settles(farther.close());
    await until(() => [here, there, third].every((r) => JSON.stringify(held(r)) === JSON.stringify(NOTHING_HELD)));
  });

  it('a reader that closes while its writer is on its way to another runtime: the writer learns it at its new home', async () => {
    const [here, there, third] = memoryRuntimes(3) as [Runtime, Runtime, Runtime];
    const [reader, writer] = Pipe<number>(false);
    const far = await pass(writer, here, there);
    await far.send(1);
    expect(await settles(reader.recv())).to.equal(1);
    const moving = pass(far, there, third); // left `there` already: the pclosed below finds no writer there
    const closing = reader.close();
    const farther = await moving;
    await settles(expectRejection(farther.send(2), ClosedError));
    await settles(closing);
    await settles(farther.close());
    await until(() => [here, there, third].every((r) => JSON.stringify(held(r)) === JSON.stringify(NOTHING_HELD)));
  });
});
