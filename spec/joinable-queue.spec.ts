import { testScheduler } from './support/marbles.js';
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { ClosedError, JoinableQueue } from '../src/index.js';
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
