/**
 * `npm run bench`: every scenario, rxmp and its baseline measured side by side
 * in this run (each measurement in a fresh process), median of 3 repetitions
 * with min–max, one table, bench/results/latest.json and the ratios as a
 * chart, bench/results/ratios.svg (see `chart.ts`).
 *
 *   npm run bench [-- --quick] [-- --only <scenario,...>] [-- --reps N] [-- --out <file>]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisServer, redisServerPath, startRedis } from '../spec/support/redis-server.js';
import { type ChartRow, ratiosSvg } from './chart.js';
import { SCENARIOS, type Program, type Scenario } from './scenarios.js';

interface Sample {
  median: number;
  min: number;
  max: number;
  unit: string;
  values: number[];
}
type Outcome = Sample | { unavailable: string };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const reps = Number(flagValue('--reps') ?? 3);
const only = flagValue('--only')?.split(',');
const out = flagValue('--out');
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function flagValue(flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

let redis: Promise<RedisServer | { unavailable: string }> | undefined;

/** The Redis rows' one server for this run: started on first use on a free loopback port (no persistence), stopped at the end. */
function redisServer(): Promise<RedisServer | { unavailable: string }> {
  redis ??= redisServerPath()
    ? startRedis().catch((error: unknown) => ({ unavailable: `redis-server did not start: ${String(error).split('\n')[0]}` }))
    : Promise.resolve({ unavailable: 'redis-server is not installed (apt-get install -y redis-server)' });
  return redis;
}

/** Runs one measurement program; its last output line is `{ value, unit }`. */
async function runOnce(program: Program, n: number): Promise<{ value: number; unit: string } | { unavailable: string }> {
  const env: Record<string, string | undefined> = { ...process.env, ...program.env };
  if (program.redis) {
    const server = await redisServer();
    if ('unavailable' in server) return server;
    env.REDIS_URL = server.url;
  }
  const [command, file] =
    program.runtime === 'python'
      ? ['python3', `${root}bench/python/${program.file}`]
      : [process.execPath, `${here}measure/${program.file}`];
  return new Promise((resolve) => {
    const options = { timeout: 600_000, maxBuffer: 1 << 24, env };
    execFile(command, [file, ...program.args, String(n)], options, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ unavailable: `${command} not found` });
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(last) as { value: number; unit: string };
        if (typeof parsed.value !== 'number') throw new Error('no value');
        resolve(parsed);
      } catch {
        resolve({ unavailable: `failed: ${(stderr || String(error ?? last)).trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

const cache = new Map<string, Promise<Outcome>>();

/** `reps` runs of a program (shared between rows that use the same measurement). */
function measure(program: Program, n: number): Promise<Outcome> {
  const key = `${program.runtime}:${program.file}:${program.args.join(' ')}:${n}:${JSON.stringify(program.env ?? {})}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = (async () => {
      const values: number[] = [];
      let unit = '';
      for (let i = 0; i < reps; i++) {
        const r = await runOnce(program, n);
        if ('unavailable' in r) return r;
        values.push(r.value);
        unit = r.unit;
      }
      const sorted = [...values].sort((a, b) => a - b);
      return {
        median: sorted[Math.floor(sorted.length / 2)] as number,
        min: sorted[0] as number,
        max: sorted[sorted.length - 1] as number,
        unit,
        values,
      };
    })();
    cache.set(key, pending);
  }
  return pending;
}

function format(value: number, unit: string): string {
  if (unit === 'µs' || unit === 'MB') return `${value.toFixed(1)} ${unit}`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k/s`;
  return `${value.toFixed(0)}/s`;
}

function describe(o: Outcome): string {
  if ('unavailable' in o) return o.unavailable;
  return `${format(o.median, o.unit)} [${format(o.min, o.unit)}–${format(o.max, o.unit)}]`;
}

interface Row extends ChartRow {
  scenario: string;
  rxmp: Outcome;
  baselineName: string;
  baseline: Outcome | undefined;
  ratio: number | undefined;
  target: string;
  met: boolean | undefined;
}

async function evaluate(s: Scenario): Promise<Row> {
  const n = quick ? s.quickN : s.n;
  const rxmp = await measure(s.rxmp, n);
  const baseline = s.baseline ? await measure(s.baseline.program, s.baseline.n?.(quick) ?? n) : undefined;
  let ratio: number | undefined;
  let met: boolean | undefined;
  if (!('unavailable' in rxmp)) {
    if (s.target.kind === 'at-most-absolute') {
      met = rxmp.median < s.target.value;
    } else if (baseline && !('unavailable' in baseline)) {
      ratio = s.target.kind === 'at-most' ? rxmp.median / baseline.median : rxmp.median / baseline.median;
      met = s.target.kind === 'at-least' ? ratio >= s.target.value : s.target.kind === 'at-most' ? ratio <= s.target.value : undefined;
    }
  }
  const target =
    s.target.kind === 'at-least'
      ? `≥ ${s.target.value}×`
      : s.target.kind === 'at-most'
        ? `≤ ${s.target.value.toFixed(1)}×`
        : s.target.kind === 'info'
          ? '—'
          : `< ${s.target.value} MB`;
  return {
    scenario: s.title,
    rxmp,
    baselineName: s.baseline?.name ?? '—',
    baseline,
    ratio,
    target,
    targetKind: s.target.kind,
    targetValue: s.target.value,
    met,
  };
}

const selected = SCENARIOS.filter((s) => !only || only.includes(s.key));
const python = await runPythonVersion();
console.log(
  `rxmp bench${quick ? ' --quick' : ''}: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}, ${python}, median of ${reps}`,
);
const rows: Row[] = [];
for (const s of selected) {
  const row = await evaluate(s);
  rows.push(row);
  const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`;
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  console.log(
    `| ${row.scenario} | ${describe(row.rxmp)} | ${row.baselineName}: ${row.baseline ? describe(row.baseline) : '—'} | ${ratio} | ${row.target} | ${met} |`,
  );
}

if (redis) {
  const server = await redis;
  if (!('unavailable' in server)) await server.stop();
}

const file = out ?? `${root}bench/results/latest.json`;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(
  file,
  JSON.stringify(
    { when: new Date().toISOString(), quick, reps, cores: availableParallelism(), node: process.version, python, rows },
    null,
    2,
  ),
);
const chart = join(dirname(file), 'ratios.svg');
const title = `rxmp vs baselines: ${availableParallelism()} cores, Node ${process.version}, ${python}, median of ${reps}${quick ? ' (--quick)' : ''}`;
writeFileSync(chart, ratiosSvg(rows, title));
console.log(
  `written: ${out ?? 'bench/results/latest.json'} and ${relative(root, chart)} (${rows.filter((r) => r.met === true).length} of ${rows.filter((r) => r.met !== undefined).length} targets met)`,
);

function runPythonVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('python3', ['--version'], (error, stdout) => resolve(error ? 'no python3 (Python rows unavailable)' : stdout.trim()));
  });
}
