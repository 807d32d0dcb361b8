import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = join(ROOT, 'spec', 'bundle');

/** Bundles app.ts and worker.ts into `out` (one file each), rxmp bundled in or left external. */
async function bundle(out: string, external: boolean): Promise<void> {
  await build({
    entryPoints: [join(SOURCES, 'app.ts'), join(SOURCES, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: out,
    logLevel: 'silent',
    // As an app's own bundle: rxmp from the package (its exports), rxjs with it.
    alias: { rxmp: join(ROOT, 'dist', 'src', 'index.js') },
    ...(external ? { external: ['rxmp', 'rxjs', 'msgpackr'], alias: {} } : {}),
  });
}

function run(file: string): Promise<Record<string, unknown>> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [file], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')),
    ),
  );
}

describe('bundlers (esbuild, one file per entry)', function () {
  this.timeout(90_000);
  let dir: string;
  // Inside the package, so that an external `rxmp` resolves to it as an installed package would.
  beforeEach(() => {
    dir = mkdtempSync(join(ROOT, 'dist', 'spec', 'bundle', 'out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an app bundled with rxmp external starts forked and thread children', async () => {
    await bundle(dir, true);
    expect(await run(join(dir, 'app.js'))).to.deep.equal({
      got: ['fork ran the bundled worker', 'thread ran the bundled worker'],
      codes: [0, 0],
    });
  });

  it('an app with rxmp bundled in is told at start() how to bundle instead', async () => {
    await bundle(dir, false);
    const out = await run(join(dir, 'app.js'));
    expect(out.error).to.match(/rxmp cannot start a child: its bootstrap .* is not there, so rxmp looks bundled.*--external:rxmp/);
  });
});
