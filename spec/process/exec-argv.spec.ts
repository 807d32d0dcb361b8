import { expect } from 'chai';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultExecArgv } from '../../src/process/exec-argv.js';

interface Seen {
  code: number;
  seen: { execArgv: string[]; inspector: string | null };
}
interface Report {
  fork: Seen;
  thread: Seen;
  inspector: string | null;
}

/** Runs `args` (Node options, then a program) as a tree root of its own; its last JSON line. */
function runNode(args: string[]): Promise<Report> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Report);
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const FLAGS_ROOT = fileURLToPath(new URL('../fixtures/flags-root.js', import.meta.url));

describe("a child's Node options", function () {
  this.timeout(90_000);

  it('under V8 and per-process flags (--max-old-space-size, --expose-gc, --title), a thread starts; a forked child gets them', async () => {
    const report = await runNode(['--max-old-space-size=300', '--expose-gc', '--title=rxmp-flags-spec', FLAGS_ROOT]);
    expect(report.thread.code).to.equal(0);
    expect(report.fork.code).to.equal(0);
    expect(report.fork.seen.execArgv).to.include.members(['--max-old-space-size=300', '--expose-gc']);
    expect(report.thread.seen.execArgv).to.not.include('--expose-gc');
  });

  it('a parent run as `node --input-type=module -e …` starts forked and thread children', async () => {
    const code = `await import(${JSON.stringify(pathToFileURL(FLAGS_ROOT).href)});`;
    const report = await runNode(['--input-type=module', '-e', code]);
    expect(report.fork.code).to.equal(0);
    expect(report.thread.code).to.equal(0);
    for (const child of [report.fork, report.thread]) expect(child.seen.execArgv.join(' ')).to.not.match(/--input-type|(^| )-e( |$)/);
  });

  it('a parent with an inspector gives each forked child its own, on a free port of the same host', async () => {
    // A fixed port: a child given the same flag could not listen there.
    const report = await runNode([`--inspect=127.0.0.1:${await freePort()}`, FLAGS_ROOT]);
    expect(report.fork.code).to.equal(0);
    expect(report.inspector).to.match(/^ws:\/\/127\.0\.0\.1:\d+\//);
    expect(report.fork.seen.inspector).to.match(/^ws:\/\/127\.0\.0\.1:\d+\//);
    const port = (url: string | null) => new URL(url as string).port;
    expect(port(report.fork.seen.inspector)).to.not.equal(port(report.inspector));
  });

  describe('defaultExecArgv', () => {
    it('gives a thread no inspector (it is inspected through its process)', () => {
      expect(defaultExecArgv('thread', ['--inspect', '--expose-gc', '-e', 'code'])).to.deep.equal(['--expose-gc']);
    });

    it("drops what runs the parent's own program, with its value", () => {
      expect(defaultExecArgv('fork', ['--input-type=module', '-e', 'code', '--expose-gc'])).to.deep.equal(['--expose-gc']);
      expect(defaultExecArgv('fork', ['-pe', 'code', '--require', 'x.cjs'])).to.deep.equal(['--require', 'x.cjs']);
      expect(defaultExecArgv('fork', ['--test', '--watch', '--watch-path', 'src', '--import', 'tsx'])).to.deep.equal(['--import', 'tsx']);
    });

    it('moves an inspector to a free port of the same host, without stopping the child', () => {
      expect(defaultExecArgv('fork', ['--inspect-brk'])).to.deep.equal(['--inspect=127.0.0.1:0']);
      expect(defaultExecArgv('fork', ['--inspect=0.0.0.0:9229'])).to.deep.equal(['--inspect=0.0.0.0:0']);
      expect(defaultExecArgv('fork', ['--inspect=9230', '--inspect-port', '9231'])).to.deep.equal(['--inspect=127.0.0.1:0']);
      expect(defaultExecArgv('fork', ['--inspect-wait=[::1]'])).to.deep.equal(['--inspect=[::1]:0']);
    });
  });
});
