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
