/** Pipes whose ends live in different processes and threads. */
import { expect } from 'chai';
import { firstValueFrom, range } from 'rxjs';
import { ClosedError, type Connection, EOFError, Pipe } from '../../src/index.js';
import { Runtime } from '../../src/transport/runtime.js';
import type { Message } from '../../src/wire/protocol/index.js';
import { expectRejection, settledWithin, settles, sleep } from '../support/async.js';
import { startChild } from '../support/children.js';
import { rxmpWarnings } from '../support/warnings.js';

/** Counts the pipe data messages this runtime receives while `body` runs. */
async function pipeDataReceivedHere(body: () => Promise<void>): Promise<number> {
  const routes = (Runtime.get().hub as unknown as { routes: Map<string, (m: Message, l: unknown) => void> }).routes;
  const original = routes.get('pdata') as (m: Message, l: unknown) => void;
  let count = 0;
  routes.set('pdata', (m, l) => {
    count++;
    original(m, l);
  });
  try {
    await body();
  } finally {
    routes.set('pdata', original);
  }
  return count;
}

for (const kind of ['fork', 'thread'] as const) {
  describe(`pipes across ${kind} children`, function () {
    this.timeout(60_000);

    it('one end here, the other in a child: request and answer, then EOF both ways', async () => {
      const [a, b] = Pipe<number>();
      const child = startChild('pipe-echo', { args: [b], kind });
      for (let i = 1; i <= 20; i++) {
        await a.send(i);
        expect(await a.recv()).to.equal(i * 2);
      }
      a.complete();
      await expectRejection(a.recv(), EOFError); // the child closed after our end of stream
      expect(await child.join()).to.equal(0);
    });

    it('two children talk directly: nothing is relayed through the parent, and messages sent before the move arrive first', async () => {
      const [reader, writer] = Pipe<number>(false);
      for (let i = 0; i < 3; i++) await writer.send(i); // before either end moves
      const relayed = await pipeDataReceivedHere(async () => {
        const readerChild = startChild('pipe-reader', { args: [reader], kind });
        const writerChild = startChild('pipe-writer', { args: [writer, 500, 3], kind });
        const got = (await firstValueFrom(readerChild.output$)) as number[];
        expect(got).to.deep.equal([...Array(503).keys()]);
        expect(await writerChild.join()).to.equal(0);
        expect(await readerChild.join()).to.equal(0);
      });
      expect(relayed, 'pipe data messages that went through the parent').to.equal(0);
    });

    it('send waits while the remote reader’s window is full', async () => {
      const [a, b] = Pipe<Uint8Array>({ window: 1000 });
      const child = startChild('pipe-reader', { args: [b, 300], kind });
      await a.send(new Uint8Array(600));
      await a.send(new Uint8Array(600)); // fits once the child took the first
      const third = a.send(new Uint8Array(600));
      expect(await settledWithin(third, 100), 'the third waits for the slow reader').to.equal(false);
      await third;
      await a.close();
      const got = (await firstValueFrom(child.output$)) as Uint8Array[];
      expect(got.map((m) => m.byteLength)).to.deep.equal([600, 600, 600]);
    });

    it('a peer killed mid-stream: the reader here sees EOF after what arrived, the writer here a ClosedError', async () => {
      const [a, b] = Pipe<number>();
      const child = startChild('pipe-echo', { args: [b], kind });
      await a.send(1);
      expect(await a.recv()).to.equal(2);
      child.kill();
      await child.join();
      await expectRejection(a.recv(), EOFError);
      await expectRejection(
        (async () => {
          for (;;) await a.send(3); // the first sends may leave before the death is known
        })(),
        ClosedError,
      );
    });

    it('error(e) in a child errors the stream here with the same class and message', async () => {
      const [a, b] = Pipe<number>();
      startChild('pipe-error', { args: [b], kind });
      expect(await a.recv()).to.equal(1);
      const error = await expectRejection(a.recv(), RangeError);
      expect(error.message).to.equal('producer failed');
    });

    it('an end passed on twice (here → child → grandchild) loses nothing in flight', async () => {
      const [reader, writer] = Pipe<number>(false);
      const relay = startChild('pipe-relay', { args: [reader, 5, kind], kind });
      for (let i = 0; i < 300; i++) await writer.send(i);
      await writer.close();
      expect(await relay.join()).to.equal(0);
    });

    it('both ends sent to the same child still talk to each other', async () => {
      const [a, b] = Pipe<string>();
      const child = startChild('pipe-both', { args: [a, b], kind });
      expect(await firstValueFrom(child.output$)).to.deep.equal(['from a', 'from b']);
      expect(await child.join()).to.equal(0);
    });

    it('an end sent to a child that dies before it arrives is lost: the reader here sees EOF, the writer a ClosedError', async () => {
      const [a, b] = Pipe<number>();
      await a.send(1); // waits for b in its reader, and goes with it
      const child = startChild('sleepy', { args: [60_000, b], kind });
      child.kill();
      expect(await child.join()).to.not.equal(0);
      await settles(expectRejection(a.recv(), EOFError));
      const error = await settles(expectRejection(a.send(2), ClosedError));
      expect(error.message).to.contain('broken pipe');
    });

    it('an end a child passed on before exiting is not lost with it', async () => {
      const [a, b] = Pipe<number>();
      const child = startChild('hand-back', { args: [b], kind });
      const handed = firstValueFrom(child.output$) as Promise<Connection<number>>;
      expect(await child.join()).to.equal(0);
      await sleep(100); // news of a loss, if any, would be here by now
      const back = await handed;
      await a.send(1);
      expect(await back.recv()).to.equal(1);
      await back.send(2);
      expect(await a.recv()).to.equal(2);
      await back.close();
      await expectRejection(a.recv(), EOFError);
    });

    it('ends handed straight back by a child, 20 times in a row: each works at once (the news of its move, sent on the link, is read before the end is revived)', async () => {
      for (let i = 0; i < 20; i++) {
        const [a, b] = Pipe<number>();
        const child = startChild('hand-back', { args: [b], kind });
        const handed = firstValueFrom(child.output$) as Promise<Connection<number>>;
        expect(await child.join()).to.equal(0);
        const back = await settles(handed, 10_000);
        await settles(a.send(i), 10_000);
        expect(await settles(back.recv(), 10_000)).to.equal(i);
        await settles(back.send(-i), 10_000);
        expect(await settles(a.recv(), 10_000)).to.equal(-i);
        await back.close();
        await a.close();
      }
    });

    it('an end passed to a child is gone from here the moment start() returns: send and recv reject ClosedError, and close() leaves the child’s end open', async () => {
      const [a, b] = Pipe<number>();
      const child = startChild('pipe-echo', { args: [b], kind });
      // Nothing awaited since start(): the end has left already.
      expect(b.closed, 'spent as start() returns').to.equal(true);
      const send = b.send(1).then(
        () => 'sent',
        (e: Error) => e,
      );
      const recv = b.recv().then(
        () => 'received',
        (e: Error) => e,
      );
      await b.close(); // the object left behind: closing it closes nothing
      expect(await send).to.be.instanceOf(ClosedError);
      expect(await recv).to.be.instanceOf(ClosedError);
      await a.send(21);
      expect(await settles(a.recv()), 'the child’s end is open and answers').to.equal(42);
      a.complete();
      await settles(expectRejection(a.recv(), EOFError));
      expect(await child.join()).to.equal(0);
    });

    it('a write-only end subscribed to a source whose reader closes early reports the broken pipe once, as a warning, and never throws into the source', async () => {
      const warnings = rxmpWarnings();
      const [reader, writer] = Pipe<number>(false);
      const child = startChild('pipe-take', { args: [reader, 3], kind });
      const subscription = range(0, 100_000).subscribe(writer); // far more than the window: next() calls wait
      try {
        expect(await child.join()).to.equal(0);
        const [warning] = await settles(warnings.next());
        expect(warning?.code).to.equal('ClosedError');
        await sleep(100); // a second report, if any, would be here by now
        expect(warnings.seen(), 'reported once').to.have.length(1);
      } finally {
        subscription.unsubscribe();
        warnings.stop();
      }
      await writer.close(); // no throw, no second report
      expect(warnings.seen()).to.have.length(1);
    });

    it('a duplex end subscribed to a source whose peer closes early: its own subscribers’ stream errors with the broken pipe, once', async () => {
      const warnings = rxmpWarnings();
      const [a, b] = Pipe<number>({ window: 64 });
      const child = startChild('pipe-take', { args: [b, 3], kind });
      const seen: unknown[] = [];
      const ended = new Promise<unknown>((resolve) =>
        a.subscribe({ next: (v) => seen.push(v), error: resolve, complete: () => resolve('complete') }),
      );
      const subscription = range(0, 1000).subscribe(a);
      try {
        const outcome = await settles(ended);
        expect(outcome).to.be.instanceOf(ClosedError);
        expect((outcome as ClosedError).resource).to.equal('peer');
        expect(seen).to.deep.equal([]);
        expect(await child.join()).to.equal(0);
        await sleep(100);
        expect(warnings.seen(), 'seen by the subscriber: no warning as well').to.have.length(0);
      } finally {
        subscription.unsubscribe();
        warnings.stop();
      }
      await a.close();
    });

    it('keeps nothing of a pipe once both ends are closed: an end used by a child that exited, and its peer here', async () => {
      const host = Runtime.get().pipeHost;
      const before = host.held();
      for (let i = 0; i < 3; i++) {
        const [a, b] = Pipe<number>();
        const child = startChild('pipe-echo', { args: [b], kind });
        await a.send(i);
        expect(await a.recv()).to.equal(2 * i);
        a.complete();
        await expectRejection(a.recv(), EOFError);
        await a.close();
        expect(await child.join()).to.equal(0);
      }
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(host.held()) !== JSON.stringify(before) && Date.now() < deadline) await sleep(10);
      expect(host.held()).to.deep.equal(before);
    });

    it('an end that has moved is spent here: every call rejects ClosedError', async () => {
      const [a, b] = Pipe<number>();
      startChild('pipe-echo', { args: [b], kind });
      await a.send(1);
      await a.recv();
      const error = await expectRejection(b.send(1), ClosedError);
      expect(error.message).to.contain('moved');
      expect(b.closed).to.equal(true);
      await a.close();
    });
  });
}
