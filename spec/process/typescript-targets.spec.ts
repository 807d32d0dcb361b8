import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Process } from '../../src/index.js';
import { resolveTarget } from '../../src/process/target.js';

interface Ran {
  code: number | null;
  out: { doubled: number; file: string };
}

/** Runs `args` with Node in `cwd` as a tree root of its own; its last JSON line. */
function runNode(args: string[], cwd: string): Promise<{ fork: Ran; thread: Ran }> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}'));
    }),
  );
}

/** spec/typescript in the sources (only .ts files there) and compiled. */
const SOURCES = fileURLToPath(new URL('../../../spec/typescript/', import.meta.url));
const COMPILED = fileURLToPath(new URL('../typescript/', import.meta.url));

describe('TypeScript targets', function () {
  this.timeout(90_000);

  it("under tsx, `new URL('./worker.js', import.meta.url)` runs worker.ts, forked and in a thread", async () => {
    const ran = await runNode(['--import', 'tsx', 'ts-root.ts'], SOURCES);
    for (const child of [ran.fork, ran.thread]) {
      expect(child.code).to.equal(0);
      expect(child.out.doubled).to.equal(42);
      expect(new URL(child.out.file).pathname).to.match(/\/spec\/typescript\/ts-worker\.ts$/);
    }
  });

  it('the same program compiled runs worker.js with plain Node', async () => {
    const ran = await runNode(['ts-root.js'], COMPILED);
    for (const child of [ran.fork, ran.thread]) {
      expect(child.code).to.equal(0);
      expect(new URL(child.out.file).pathname).to.match(/\/dist\/spec\/typescript\/ts-worker\.js$/);
    }
  });

  it('a thread whose Node cannot import TypeScript says how to fix it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-'));
    try {
      writeFileSync(join(dir, 'plain.ts'), 'export default function plain() {}\n');
      const p = new Process({ target: join(dir, 'plain.ts'), kind: 'thread' }).start();
      expect(await p.join()).to.equal(1);
      expect(p.error?.childError?.message).to.match(/cannot import it.*install tsx next to it, use kind: 'fork', or compile it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('resolveTarget', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('takes the .ts (.mts, .cts) source of a .js (.mjs, .cjs) target that is not there', () => {
      for (const [js, ts] of [
        ['a.js', 'a.ts'],
        ['b.mjs', 'b.mts'],
        ['c.cjs', 'c.cts'],
      ] as const) {
        writeFileSync(join(dir, ts), '');
        expect(resolveTarget(pathToFileURL(join(dir, js))).href).to.equal(pathToFileURL(join(dir, ts)).href);
      }
    });

    it('prefers the .js when both are there, and refuses a target that is neither', () => {
      writeFileSync(join(dir, 'a.js'), '');
      writeFileSync(join(dir, 'a.ts'), '');
      expect(resolveTarget(join(dir, 'a.js')).href).to.equal(pathToFileURL(join(dir, 'a.js')).href);
      expect(() => resolveTarget(join(dir, 'none.js'))).to.throw(TypeError, /does not exist/);
    });
  });
});
