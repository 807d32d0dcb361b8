/** The worker of the bundled app (see app.ts). */
import type { Queue } from 'rxmp';

export default async function worker(results: Queue<string>, kind: string): Promise<void> {
  await results.put(`${kind} ran ${import.meta.url.endsWith('/worker.js') ? 'the bundled worker' : import.meta.url}`);
}
