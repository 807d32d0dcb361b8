/** Bell numbers: no two live threads of a process share a doorbell id, however many threads come and go. */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { firstValueFrom } from 'rxjs';
import { Event, Process } from '../../../src/index.js';
import { bellId, claimBell, ME, releaseBells } from '../../../src/transport/shm/thread-bells.js';

const reportBell = new URL('../../fixtures/report-bell.js', import.meta.url);
const eventRelay = new URL('../../fixtures/event-relay.js', import.meta.url);

describe('thread bells', function () {
  this.timeout(120_000);
  it('the main thread is bell 0; a claimed number is never 0, never given twice while held, and given again as late as can be', () => {
    expect(ME).to.equal(bellId(process.pid, 0));
    const claimed = [claimBell(), claimBell(), claimBell()].map((b) => (b as { bell: number }).bell);
    expect(new Set(claimed).size).to.equal(3);
    expect(claimed).to.not.include(0);
    releaseBells([claimed[1] as number]);
    const next = (claimBell() as { bell: number }).bell;
    expect(next, 'a free number not given for the longest time comes first').to.not.be.oneOf(claimed);
    releaseBells([...claimed, next]);
  });

  it('past the numbers there are, a thread cannot start: RangeError, and nothing is left claimed', () => {
    expect(freeBells()).to.equal(223);
  });

  it('a thread that dies with threads it started still running: their numbers come back too', async () => {
    const parent = new Process({ target: new URL('../../fixtures/start-thread-then-wait.js', import.meta.url), kind: 'thread' }).start();
    await firstValueFrom(parent.output$); // its own thread has started
    expect(freeBells()).to.equal(221);
    parent.kill();
    await parent.join();
    expect(freeBells()).to.equal(223);
  });

  it('threads alive at once have bells of their own, none the main thread’s', async () => {
    const threads = Array.from({ length: 8 }, () => new Process({ target: reportBell, kind: 'thread' }).start());
    const ids = await Promise.all(threads.map((t) => firstValueFrom(t.output$) as Promise<number>));
    await Promise.all(threads.map((t) => t.join()));
    expect(new Set(ids).size).to.equal(8);
    expect(ids).to.not.include(ME);
  });

  describe('the main thread woken through its doorbell', () => {
    it('a thread whose thread id is a multiple of 256 still has a bell of its own: an Event it sets still wakes this thread', async () => {
      // Threads of no interest to rxmp, until the next thread id is a multiple of 256 (a thread id modulo
      // 256 would give that thread the main thread's bell, and its start would take the main thread's doorbell).
      for (;;) {
        const batch = Array.from({ length: 8 }, () => new Worker('', { eval: true }));
        const last = batch[batch.length - 1] as Worker;
        const next = last.threadId + 1;
        await Promise.all(batch.map((w) => new Promise((resolve) => w.once('exit', resolve))));
        if ((256 - (next % 256)) % 256 < 8) {
          for (let id = next; id % 256 !== 0; id++) await new Promise((resolve) => new Worker('', { eval: true }).once('exit', resolve));
          break;
        }
      }
      // Each side sleeps on its own doorbell until the other sets the Event it waits on.
      const ping = new Event();
      const pong = new Event();
      const relay = new Process({ target: eventRelay, args: [ping, pong, 20], kind: 'thread' }).start();
      for (let i = 0; i < 20; i++) {
        ping.set();
        expect(await pong.wait({ timeout: 10_000 }), `round ${i}: this thread was woken`).to.equal(true);
        pong.clear();
      }
      expect(await firstValueFrom(relay.output$)).to.equal(20);
      expect(await relay.join()).to.equal(0);
    });
  });

  describe('a new thread woken through its doorbell', () => {
    it('a bell number given again to a new thread: what wakes it reaches the new thread (not the pipe of the one before)', async () => {
      for (let round = 0; round < 3; round++) {
        const ping = new Event();
        const pong = new Event();
        const relay = new Process({ target: eventRelay, args: [ping, pong, 3], kind: 'thread' }).start();
        // Set only once the thread has long been waiting: each round must wake it through its bell.
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          ping.set();
          expect(await pong.wait({ timeout: 10_000 })).to.equal(true);
          pong.clear();
        }
        expect(await firstValueFrom(relay.output$)).to.equal(3);
        expect(await relay.join()).to.equal(0);
      }
    });
  });
});

/** How many bell numbers can be claimed now (each claimed one is released again). */
function freeBells(): number {
  const held: number[] = [];
  try {
    for (;;) held.push((claimBell() as { bell: number }).bell);
  } catch (error) {
    expect(error).to.be.instanceOf(RangeError);
  }
  releaseBells(held);
  return held.length;
}
