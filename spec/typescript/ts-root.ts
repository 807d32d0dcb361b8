/**
 * A program of its own, run by the TypeScript-targets spec from its sources
 * under tsx and compiled under plain Node: starts the target with the one
 * spelling that works both ways, forked and as a thread, and prints what
 * each reported as one JSON line.
 */
import { lastValueFrom } from 'rxjs';
import { Process } from 'rxmp';

async function run(kind: 'fork' | 'thread'): Promise<{ code: number | null; out: unknown }> {
  const p = new Process({ target: new URL('./ts-worker.js', import.meta.url), args: [21], kind }).start();
  const out = await lastValueFrom(p.output$);
  return { code: await p.join(), out };
}

console.log(JSON.stringify({ fork: await run('fork'), thread: await run('thread') }));
