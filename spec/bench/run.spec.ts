/** `npm run bench -- --quick` runs every scenario end to end, so the bench cannot rot. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../../bench/scenarios.js';
import { redisServerPath } from '../support/redis-server.js';

interface Row {
  scenario: string;
  rxmp: { median?: number; unavailable?: string };
  baselineName: string;
  baseline?: { median?: number; unavailable?: string };
}

describe('bench (quick mode)', function () {
  this.timeout(600_000);

  it('measures every scenario, rxmp and its baseline, and writes the results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxmp-bench-'));
    const out = join(dir, 'quick.json');
    try {
      const runner = fileURLToPath(new URL('../../bench/run.js', import.meta.url));
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [runner, '--quick', '--out', out], { timeout: 590_000, maxBuffer: 1 << 22 }, (error, so, se) =>
          error ? reject(new Error(`${String(error)}\n${se}`)) : resolve(so),
        ),
      );
      const { rows } = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[] };
      expect(rows.length).to.equal(SCENARIOS.length);
      // Without redis-server (outside CI only) the Redis rows say so instead of measuring.
      const noRedis = !redisServerPath() && process.env.CI !== 'true';
      for (const row of rows) {
        if (noRedis && row.rxmp.unavailable?.startsWith('redis-server is not installed')) continue;
        expect(row.rxmp.median, `${row.scenario}: ${row.rxmp.unavailable ?? ''}`).to.be.a('number');
        if (!row.baseline) continue;
        // A missing python3 is said in the row; anything else must measure.
        if (row.baseline.unavailable) expect(row.baseline.unavailable).to.match(/python3 not found/);
        else expect(row.baseline.median, `${row.scenario} baseline`).to.be.a('number');
      }
      expect(stdout).to.match(/^rxmp bench --quick: \d+ cores/m);
      expect(stdout).to.contain('targets met');
      expect(readFileSync(join(dir, 'ratios.svg'), 'utf8'), 'the chart, next to the results').to.match(/^<svg /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
