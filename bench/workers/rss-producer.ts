import { from, type Observable } from 'rxjs';
import type { Queue } from '../../src/index.js';

/** Puts `n` items of 1 KB as fast as the queue lets it; emits its peak RSS growth in MB. */
export default function rssProducer(q: Queue<Uint8Array>, ready: Queue<number>, n: number): Observable<number> {
  return from(
    (async () => {
      const start = process.memoryUsage.rss();
      let peak = start;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      await ready.put(1);
      const payload = new Uint8Array(1024).fill(7);
      for (let i = 0; i < n; i++) {
        payload[0] = i & 0xff;
        await q.put(payload);
      }
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());
      return (peak - start) / 2 ** 20;
    })(),
  );
}
