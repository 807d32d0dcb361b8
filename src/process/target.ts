import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { quote } from '../handle/options.js';

/** The TypeScript files a missing `.js` (`.mjs`, `.cjs`) target may be the source of, in the order tried. */
const SOURCES: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/**
 * A `Process` target as a file URL that exists: a URL, or a path resolved
 * against the working directory.
 *
 * One spelling works compiled and uncompiled: `new URL('./worker.js',
 * import.meta.url)`. Compiled, `worker.js` is there. Run from the sources
 * (tsx, or Node's own type stripping), only `worker.ts` is: that file is the
 * target then, as TypeScript's own import rule maps `.js` to `.ts`. A `.ts`
 * target given as such is taken as it is; the child runs it if its Node runs
 * TypeScript.
 */
export function resolveTarget(target: unknown): URL {
  let url: URL;
  if (target instanceof URL) url = target;
  else if (typeof target === 'string') {
    url = /^[a-z][a-z\d+.-]*:/i.test(target) && !isAbsolute(target) ? new URL(target) : pathToFileURL(resolve(target));
  } else throw new TypeError(`target must be a module file (a URL or a path), got ${quote(target)}`);
  if (url.protocol !== 'file:') throw new TypeError(`target must be a file URL, got ${url.href}`);
  if (existsSync(url)) return url;
  const extension = /\.[cm]?js$/.exec(url.pathname)?.[0];
  for (const source of extension ? (SOURCES[extension] ?? []) : []) {
    const candidate = new URL(url.href.replace(/\.[cm]?js(?=$|[?#])/, source));
    if (existsSync(candidate)) return candidate;
  }
  throw new TypeError(`target module ${url.href} does not exist`);
}
