import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from '../support/async.js';
import { linuxOnly } from '../support/skip.js';

/** Alive and not a zombie (a dead child its new parent has not reaped yet is gone for every purpose). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

interface Tree {
  pid: number;
  pids: number[];
  tree: string;
}

/** Starts the orphan-root program (a tree root of its own) and waits for its report. */
function startRoot(): Promise<{ root: ChildProcess; report: Tree }> {
  const env = { ...process.env };
  delete env.RXMP_TREE_DIR; // its own tree, not a member of the one this spec runs in
  const root = spawn(process.execPath, [fileURLToPath(new URL('../fixtures/orphan-root.js', import.meta.url))], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    root.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ root, report: JSON.parse(line) as Tree });
    });
    root.once('exit', (code, signal) => reject(new Error(`the root exited early (${code ?? signal})`)));
  });
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (done()) return true;
  return done();
}

describe('children never outlive their parent', function () {
  this.timeout(90_000);

  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT'] as const) {
    it(`a root killed with ${signal}: its forked children and theirs end (a busy one too), and its tree's directory goes`, async function () {
      linuxOnly(this);
      const { root, report } = await startRoot();
      const descendants = [...report.pids];
      try {
        expect(descendants).to.have.length(4);
        expect(descendants.every(running), 'all running before the kill').to.equal(true);
        expect(existsSync(report.tree)).to.equal(true);
        root.kill(signal);
        expect(await until(() => !descendants.some(running), 20_000), `still running: ${descendants.filter(running)}`).to.equal(true);
        expect(await until(() => !existsSync(report.tree), 20_000), `${report.tree} is left`).to.equal(true);
      } finally {
        for (const pid of descendants.filter(running)) process.kill(pid, 'SIGKILL');
        if (root.exitCode === null && root.signalCode === null) root.kill('SIGKILL');
      }
    });
  }
});
