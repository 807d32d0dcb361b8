import { readFileSync } from 'node:fs';
import { Pool, type PoolOptions } from '../../src/index.js';
import type * as tasks from '../fixtures/pool-tasks.js';

export type Tasks = typeof tasks;

export const POOL_TASKS = new URL('../fixtures/pool-tasks.js', import.meta.url);

/** Pools a spec made, each terminated and joined after it (`afterEach(endPools)`). */
const made: Pool<never>[] = [];

/** A pool over one export of the pool-tasks fixture; ended by `endPools`. */
export function pool<K extends keyof Tasks>(exportName: K, options: Omit<PoolOptions, 'target' | 'export'> = {}): Pool<Tasks[K]> {
  const p = new Pool<Tasks[K]>({ target: POOL_TASKS, export: exportName, processes: 2, ...options });
  made.push(p as unknown as Pool<never>);
  return p;
}

export async function endPools(): Promise<void> {
  const pools = made.splice(0);
  for (const p of pools) p.terminate();
  await Promise.all(pools.map((p) => p.join()));
}

/** How many results each worker produced, by its pid (fork) or thread id, in the order the workers came. */
export function perWorker(results: { pid: number; threadId: number }[], kind: 'fork' | 'thread'): number[] {
  const counts = new Map<number, number>();
  for (const r of results) {
    const id = kind === 'fork' ? r.pid : r.threadId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.values()];
}

/** How often the task `x` ran, by the log the pool-tasks fixture's `logTo` initializer writes (one line per run). */
export function runsIn(log: string, x: number): number {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line === String(x)).length;
}
