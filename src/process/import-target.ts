import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/**
 * Imports a child's target module. A TypeScript target is imported through
 * whatever runs TypeScript in this child's Node (tsx's hooks, or Node's own
 * type stripping), inherited from the parent with its options.
 *
 * One gap is closed here: on Node versions whose module hooks do not reach
 * worker threads (Node 20), a thread cannot import a `.ts` file even under
 * tsx. There, if tsx is installed where the target can find it, the thread
 * imports the target through tsx's own API (`tsImport`) instead.
 */
export async function importTarget(href: string): Promise<Record<string, unknown>> {
  try {
    return (await import(href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (isMainThread || code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?tsx?$/.test(new URL(href).pathname)) throw error;
    const api = await tsxApi(href);
    if (!api) {
      throw new TypeError(
        `${href} is TypeScript, and this worker thread's Node cannot import it (its module hooks do not reach threads): install tsx next to it, use kind: 'fork', or compile it`,
        { cause: error },
      );
    }
    return (await api.tsImport(href, href)) as Record<string, unknown>;
  }
}

interface TsxApi {
  tsImport(specifier: string, parent: string): Promise<unknown>;
}

/** tsx's programmatic API (its ES module), as the target's own package would find tsx; undefined where there is none. */
async function tsxApi(href: string): Promise<TsxApi | undefined> {
  try {
    const manifest = createRequire(href).resolve('tsx/package.json');
    const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> }).exports[
      './esm/api'
    ]?.import?.default;
    if (!exported) return undefined;
    return (await import(pathToFileURL(join(dirname(manifest), exported)).href)) as TsxApi;
  } catch {
    return undefined;
  }
}
