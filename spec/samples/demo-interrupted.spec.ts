import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from '../support/async.js';
import { linuxOnly } from '../support/skip.js';

/** The live (not zombie) processes of process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** A process's process tree directory, from its environment. */
function treeDirOf(pid: number): string | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.find((v) => v.startsWith('RXMP_TREE_DIR='))?.slice('RXMP_TREE_DIR='.length);
  } catch {
    return undefined;
  }
}

describe('the demo, interrupted with Ctrl-C', function () {
  this.timeout(90_000);

  it('leaves no process and no file behind', async function () {
    linuxOnly(this);
    const env = { ...process.env };
    delete env.RXMP_TREE_DIR;
    // A process group of its own, as a terminal makes for a command; Ctrl-C is SIGINT to the whole group.
    const demo = spawn(process.execPath, [fileURLToPath(new URL('../../samples/worker-pipeline.js', import.meta.url)), '1000000000', '2'], {
      env,
      detached: true,
      stdio: 'ignore',
    });
    const pgid = demo.pid as number;
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    try {
      let tree: string | undefined;
      for (let i = 0; i < 400 && (groupMembers(pgid).length < 3 || tree === undefined); i++) {
        await sleep(50);
        tree ??= groupMembers(pgid)
          .map(treeDirOf)
          .find((dir) => dir !== undefined);
      }
      const members = groupMembers(pgid);
      expect(members.length, 'the demo and its two workers run').to.be.at.least(3);
      expect(tree, "the workers' tree directory").to.be.a('string');
      process.kill(-pgid, 'SIGINT');
      await exited;
      for (let i = 0; i < 400 && (groupMembers(pgid).length > 0 || existsSync(tree as string)); i++) await sleep(50);
      expect(groupMembers(pgid), 'processes left').to.deep.equal([]);
      expect(existsSync(tree as string), `${tree} is left`).to.equal(false);
    } finally {
      for (const pid of groupMembers(pgid)) process.kill(pid, 'SIGKILL');
    }
  });
});
