import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<string> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR; // the app is a tree root of its own
  return new Promise((done, fail) =>
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stdout}\n${stderr}`)) : done(stdout),
    ),
  );
}

/** Every file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const ESM_MAIN = `
import { Process, Queue } from 'rxmp';
const results = new Queue();
const kinds = ['fork', 'thread'];
const children = kinds.map((kind) =>
  new Process({ target: new URL('./child.mjs', import.meta.url), args: [results, kind], kind }).start());
const got = {};
for (const _ of kinds) Object.assign(got, await results.get());
console.log(JSON.stringify({ got, codes: await Promise.all(children.map((c) => c.join())) }));
`;
const ESM_CHILD = `
export default async function child(results, kind) {
  await results.put({ [kind]: 21 * 2 });
}
`;
const CJS_MAIN = `
const { JoinableQueue, Pipe } = require('rxmp');
(async () => {
  const q = new JoinableQueue({ maxsize: 2 });
  await q.put('a');
  const item = await q.get();
  q.taskDone();
  await q.join();
  const [a, b] = Pipe();
  await a.send({ n: 1 });
  console.log(JSON.stringify({ item, message: await b.recv() }));
  await a.close();
  await b.close();
})();
`;
// rxmp/redis without the optional peer dependency \`redis\` installed: it loads, and a call says what to install.
const REDIS_MAIN = `
import { RedisError, RedisQueue } from 'rxmp/redis';
const { RedisQueue: FromRequire } = (await import('node:module')).createRequire(import.meta.url)('rxmp/redis');
const q = new RedisQueue({ name: 'jobs', url: 'redis://127.0.0.1:1' });
const error = await q.put(1).then(() => undefined, (e) => e);
await q.close();
console.log(JSON.stringify({ redisError: error instanceof RedisError, code: error?.code, required: FromRequire === RedisQueue }));
`;
const TS_MAIN = `
import { consume, JoinableQueue, Process, Queue, SimpleQueue, type ProcessOptions } from 'rxmp';
import type { Observable } from 'rxjs';
import { RedisJoinableQueue, type RedisQueueOptions } from 'rxmp/redis';
const redisOptions: RedisQueueOptions = { name: 'jobs', maxsize: 10 };
const jobs = new RedisJoinableQueue<number>(redisOptions);
// @ts-expect-error a RedisJoinableQueue<number> takes numbers only
void jobs.put('x');
const jobsDone: Promise<void> = jobs.join();
const q = new Queue<number>({ maxsize: 2 });
// @ts-expect-error no internal constructor parameter is public (the endpoint of a handle)
new Queue<number>({}, {});
// @ts-expect-error SimpleQueue takes nothing (no inner queue)
new SimpleQueue<number>(q);
const n: Promise<number> = q.get();
// @ts-expect-error a Queue<number> takes numbers only
void q.put('x');
// @ts-expect-error an unknown option is a type error too
new Queue<number>({ maxSize: 2 });
// consume's protocol with its queue is in the published types too (hidden from the docs, not stripped).
const doubled: Observable<number> = consume(new JoinableQueue<number>(), async (x) => x * 2);
const options: ProcessOptions = { target: new URL('./child.mjs', import.meta.url) };
export { doubled, jobsDone, n, options, Process };
`;

describe('the packed package, installed into a fresh project', function () {
  this.timeout(300_000);
  let dir: string;
  let app: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxmp-spec-pack-'));
    app = join(dir, 'app');
    mkdirSync(app);
    // As published: what `files` lists, the build as it is (no scripts: `prepare` would rebuild dist under this run).
    const tarball = (await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], ROOT))
      .trim()
      .split('\n')
      .pop() as string;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball), 'rxjs@7', '@types/node@20'], app);
    writeFileSync(join(app, 'main.mjs'), ESM_MAIN);
    writeFileSync(join(app, 'child.mjs'), ESM_CHILD);
    writeFileSync(join(app, 'main.cjs'), CJS_MAIN);
    writeFileSync(join(app, 'main.ts'), TS_MAIN);
    writeFileSync(join(app, 'redis-missing.mjs'), REDIS_MAIN);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['main.ts'],
      }),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships LICENSE, the build, its sources and the addon sources, and builds the addon on install', () => {
    const installed = join(app, 'node_modules', 'rxmp');
    for (const file of [
      'LICENSE',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'src/index.ts',
      'native/shm.cc',
      'binding.gyp',
    ]) {
      expect(existsSync(join(installed, file)), file).to.equal(true);
    }
    expect(existsSync(join(installed, 'dist', 'spec')), 'no specs').to.equal(false);
    expect(existsSync(join(installed, 'build', 'Release', 'rxmp_native.node')), 'the addon, built').to.equal(true);
  });

  it('every source map points at a source that is shipped', () => {
    const maps = files(join(app, 'node_modules', 'rxmp', 'dist')).filter((f) => f.endsWith('.map'));
    expect(maps.length).to.be.greaterThan(50);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const source of sources) expect(existsSync(resolve(dirname(map), source)), `${map} → ${source}`).to.equal(true);
    }
  });

  it('an ES module starts a forked child and a thread from the installed package', async () => {
    const out = JSON.parse((await run(process.execPath, ['main.mjs'], app)).trim()) as { got: object; codes: number[] };
    expect(out).to.deep.equal({ got: { fork: 42, thread: 42 }, codes: [0, 0] });
  });

  it('CommonJS loads it with require()', async () => {
    const out = JSON.parse((await run(process.execPath, ['main.cjs'], app)).trim()) as object;
    expect(out).to.deep.equal({ item: 'a', message: { n: 1 } });
  });

  it('rxmp/redis loads (import and require) without the optional redis package, and a call rejects RedisError MODULE_NOT_FOUND', async () => {
    expect(existsSync(join(app, 'node_modules', 'redis')), 'an optional peer dependency is not installed').to.equal(false);
    const out = JSON.parse((await run(process.execPath, ['redis-missing.mjs'], app)).trim()) as object;
    expect(out).to.deep.equal({ redisError: true, code: 'MODULE_NOT_FOUND', required: true });
  });

  it('TypeScript finds its types (and they refuse what they should)', async () => {
    await run(process.execPath, [TSC, '-p', app], app);
  });
});
