/**
 * An app bundled by the bundlers spec into one file (esbuild): starts a
 * forked child and a thread on a worker bundled beside it, and prints what
 * they sent back, or the error `start()` threw, as one JSON line.
 */
import { Process, Queue } from 'rxmp';

const results = new Queue<string>();
try {
  const children = (['fork', 'thread'] as const).map((kind) =>
    new Process({ target: new URL('./worker.js', import.meta.url), args: [results, kind], kind }).start(),
  );
  const got = [await results.get(), await results.get()].sort();
  console.log(JSON.stringify({ got, codes: await Promise.all(children.map((c) => c.join())) }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
}
