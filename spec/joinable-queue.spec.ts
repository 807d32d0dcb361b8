import { testScheduler } from './support/marbles.js';
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { ClosedError, JoinableQueue, Unfinished } from '../src/index.js';
import { expectRejection } from './support/async.js';
import { joinableQueueConformance } from './conformance/joinable-queue.suite.js';
import { queueConformance } from './conformance/queue.suite.js';

// A JoinableQueue is a Queue first: the whole Queue suite holds for it too.
queueConformance('JoinableQueue in-process', async (options) => new JoinableQueue(options));
joinableQueueConformance('in-process', async (options) => new JoinableQueue(options));

describe('JoinableQueue in virtual time', () => {
  it('join$ completes in the frame of the last taskDone', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new JoinableQueue<string>();
      q.put$('a').subscribe();
      q.put$('b').subscribe();
      cold('--x---x|').subscribe(() =>
        q.get$().subscribe(() => {
          q.taskDone();
        }),
      );
      expectObservable(q.join$()).toBe('------|');
    });
  });

  it('join$ completes at once when nothing is unfinished', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(new JoinableQueue<string>().join$()).toBe('|');
    });
  });

  it('join$({ timeout }) errors Unfinished in the frame its timeout runs out, on the queue scheduler', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new JoinableQueue<string>();
      q.put$('a').subscribe();
      q.put$('b').subscribe();
      cold('--x|').subscribe(() => q.get$().subscribe(() => q.taskDone()));
      expectObservable(q.join$({ timeout: 5 })).toBe('-----#', undefined, new Unfinished(5, 1));
    });
  });

  it('join$({ timeout }) completes when the last task is done before the timeout', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new JoinableQueue<string>();
      q.put$('a').subscribe();
      cold('---x|').subscribe(() => q.get$().subscribe(() => q.taskDone()));
      expectObservable(q.join$({ timeout: 5 })).toBe('---|');
    });
  });

  it('join({ timeout }) rejects Unfinished once that much virtual time has passed (a minute, flushed at once)', async () => {
    let joined: Promise<void> | undefined;
    testScheduler().run(({ flush }) => {
      const q = new JoinableQueue<number>();
      q.put$(1).subscribe();
      joined = q.join({ timeout: 60_000 });
      joined.catch(() => {});
      flush();
    });
    const error = await expectRejection(joined as Promise<void>, Unfinished);
    expect([error.timeout, error.unfinished]).to.deep.equal([60_000, 1]);
  });

  it('unsubscribing join$ early stops waiting and leaves the count alone', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const q = new JoinableQueue<string>();
      q.put$('a').subscribe();
      cold('----x|').subscribe(() => q.get$().subscribe(() => q.taskDone()));
      expectObservable(q.join$(), '^-!').toBe('---');
      expectObservable(q.join$()).toBe('----|');
    });
  });
});

describe('JoinableQueue after close()', () => {
  it('join() and join$() on a closed handle reject ClosedError, as every later call does', async () => {
    const q = new JoinableQueue<number>();
    await q.close();
    await expectRejection(q.join(), ClosedError);
    const error = await firstValueFrom(q.join$()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ClosedError);
  });
});
