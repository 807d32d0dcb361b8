/** `rxmp` never loads the optional `redis` package: only `rxmp/redis` does, and only when it connects. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `src/` (this spec runs from `dist/spec/redis/`). */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Every module specifier a source file imports statically (`import … from`, `export … from`, bare `import '…'`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)].map((m) => (m[1] ?? m[2]) as string);
}

function tsOf(from: string, specifier: string): string {
  return resolve(dirname(from), specifier).replace(/\.js$/, '.ts');
}

describe('rxmp/redis stays optional', () => {
  it('nothing src/index.ts imports, however deep, is under src/redis or the redis package', () => {
    const seen = new Set<string>();
    const stack = [join(SRC, 'index.ts')];
    while (stack.length > 0) {
      const file = stack.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of staticImports(file)) {
        expect(specifier, `${file} imports ${specifier}`).to.not.match(/^(redis|@redis\/)/);
        if (!specifier.startsWith('.')) continue;
        const target = tsOf(file, specifier);
        expect(target.startsWith(join(SRC, 'redis')), `${file} imports ${specifier}`).to.equal(false);
        stack.push(target);
      }
    }
    expect(seen.size).to.be.above(50);
  });

  it('inside src/redis only the node-redis port names the package, and only in a dynamic import()', () => {
    for (const name of readdirSync(join(SRC, 'redis'))) {
      const file = join(SRC, 'redis', name);
      for (const specifier of staticImports(file)) expect(specifier, `${name} imports ${specifier}`).to.not.match(/^(redis|@redis\/)/);
      const dynamic = /import\(\s*'redis'/.test(readFileSync(file, 'utf8'));
      expect(dynamic, name).to.equal(name === 'node-redis-port.ts');
    }
  });
});
