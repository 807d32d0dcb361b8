/** A Connection used as an Observer whose sends fail: where the failure goes (once), and where it never goes. */
import { expect } from 'chai';
import { ClosedError, MessageTooLong, Pipe } from '../src/index.js';
import { expectRejection, settles, sleep } from './support/async.js';
import { testScheduler } from './support/marbles.js';
import { rxmpWarnings } from './support/warnings.js';

const bytes = (n: number) => new Uint8Array(n);

describe('Connection as an Observer, when its sends fail', () => {
  it('a next() that fails after it returned is never thrown by a later next(), complete() or error()', async () => {
    const warnings = rxmpWarnings();
    try {
      const [a, b] = Pipe<Uint8Array>({ window: 8 });
      a.next(bytes(8));
      a.next(bytes(8)); // waits for room
      await b.close(); // fails the waiting send
      expect(() => a.next(bytes(1))).to.not.throw();
      expect(() => a.complete()).to.not.throw();
      expect(() => a.error(new Error('late'))).to.not.throw();
      await settles(warnings.next());
    } finally {
      warnings.stop();
    }
  });

  it('the failure of the last next() is reported, once, as an RxmpWarning when nobody reads this end', async () => {
    const warnings = rxmpWarnings();
    try {
      const [reader, writer] = Pipe<Uint8Array>(false, { window: 8 });
      writer.next(bytes(8));
      writer.next(bytes(8)); // these two wait for room…
      writer.next(bytes(8));
      await reader.close(); // …and both fail here; no call on the writer follows
      const [warning] = await settles(warnings.next());
      expect(warning?.code).to.equal('ClosedError');
      expect(warning?.message).to.contain('broken pipe');
      await sleep(20);
      expect(warnings.seen()).to.have.length(1);
      await writer.close();
      await sleep(20);
      expect(warnings.seen(), 'closing does not report it again').to.have.length(1);
    } finally {
      warnings.stop();
    }
  });

  it('subscribed to an asynchronous source, a connection whose peer closed never throws into the source', async () => {
    const warnings = rxmpWarnings();
    try {
      testScheduler().run(({ cold, flush }) => {
        const [reader, writer] = Pipe<string>(false);
        cold('a-b-c-d-e|').subscribe(writer);
        cold('--|').subscribe({ complete: () => void reader.close() });
        flush(); // an error thrown into the source would be rethrown here, in virtual time
      });
      const [warning] = await settles(warnings.next());
      expect(warning?.code).to.equal('ClosedError');
      await sleep(20);
      expect(warnings.seen()).to.have.length(1);
    } finally {
      warnings.stop();
    }
  });

  it('a subscriber of this end sees the failure instead of the completion, after every message that arrived', async () => {
    const warnings = rxmpWarnings();
    try {
      const [a, b] = Pipe<Uint8Array>({ window: 8 });
      const seen: number[] = [];
      const ended = new Promise<unknown>((resolve) =>
        a.subscribe({ next: (m) => seen.push(m.byteLength), error: resolve, complete: () => resolve('complete') }),
      );
      a.next(bytes(8));
      a.next(bytes(8)); // waits for room
      await b.send(bytes(3)); // arrives before the end
      await b.close();
      const outcome = await settles(ended);
      expect(outcome).to.be.instanceOf(ClosedError);
      expect((outcome as ClosedError).resource).to.equal('peer');
      expect(seen).to.deep.equal([3]);
      await sleep(20);
      expect(warnings.seen(), 'seen by the subscriber: no warning as well').to.have.length(0);
    } finally {
      warnings.stop();
    }
  });

  it('a failure no subscriber saw before the last one left becomes a warning then, once', async () => {
    const warnings = rxmpWarnings();
    try {
      const [a, b] = Pipe<Uint8Array>({ window: 8 });
      const subscription = a.subscribe(() => undefined);
      a.next(bytes(8));
      await expectRejection(b.recvBytes(4), MessageTooLong); // b reads no more, but its own stream goes on
      a.next(bytes(1)); // fails: broken pipe, while a subscriber waits for an end that does not come
      await sleep(20);
      expect(warnings.seen(), 'the subscriber may still see it').to.have.length(0);
      subscription.unsubscribe();
      const [warning] = await settles(warnings.next());
      expect(warning?.code).to.equal('ClosedError');
      await a.close();
      await b.close();
      await sleep(20);
      expect(warnings.seen()).to.have.length(1);
    } finally {
      warnings.stop();
    }
  });
});
