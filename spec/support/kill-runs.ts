/**
 * The SIGKILL specs run RXMP_KILL_RUNS times each (default 1; the issue's
 * bar is 20 in a row: `RXMP_KILL_RUNS=20 npx mocha … dist/spec/sync/*-death.spec.js`).
 */
const RUNS = Math.max(1, Number(process.env.RXMP_KILL_RUNS ?? 1) || 1);

export function itKills(title: string, fn: () => Promise<void>): void {
  for (let run = 1; run <= RUNS; run++) it(RUNS > 1 ? `${title} (run ${run} of ${RUNS})` : title, fn);
}
