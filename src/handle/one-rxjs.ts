import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Scheduler } from 'rxjs';

/**
 * rxmp keeps time on RxJS schedulers, so a marble test controls it only if
 * rxmp and the test use one copy of rxjs: `TestScheduler.run` makes *its*
 * copy's timers virtual. A second copy (a folder install, `npm link`, two
 * versions side by side) would run rxmp's timers in real time, silently.
 * rxjs loads its CommonJS build in Node (for `import` too), so every copy
 * loaded is in the CommonJS module cache: that is where rxmp looks.
 *
 * - A scheduler from another copy is refused (`TypeError`, with the fix).
 * - rxmp used inside another copy's `TestScheduler.run` (that copy's
 *   virtual clock is on) is refused the same way.
 * - Two copies loaded otherwise: one warning (`RXMP_TWO_RXJS`), since the
 *   next marble test would run in real time.
 */
const require = createRequire(import.meta.url);
/** The CommonJS build's folder (`…/rxjs/dist/cjs`) of rxmp's copy. */
const OURS = dirname(require.resolve('rxjs'));
const BUILD = /^(.*[\\/]rxjs[\\/]dist[\\/]cjs)[\\/]/;

let scannedAt = -1;
let others: string[] = [];
let warned = false;

/** The build folders of the other copies of rxjs loaded so far (rescanned only when the module cache grew). */
function otherCopies(): string[] {
  const loaded = Object.keys(require.cache);
  if (loaded.length !== scannedAt) {
    scannedAt = loaded.length;
    const builds = new Set<string>();
    for (const path of loaded) {
      const build = BUILD.exec(path)?.[1];
      if (build !== undefined && build !== OURS) builds.add(build);
    }
    others = [...builds];
  }
  return others;
}

function fix(other: string): string {
  return (
    `rxmp uses rxjs from ${dirname(dirname(OURS))}, this one comes from ${dirname(dirname(other))}: ` +
    'marble tests would run rxmp in real time. Make it one copy: `npm ls rxjs` shows them; `npm dedupe`, one rxjs version range ' +
    '(rxmp needs ^7.8), or with `npm link`/a folder install, link rxjs too (or install rxmp from a packed tarball).'
  );
}

/** Throws if `scheduler` is an rxjs scheduler of another copy (a plain SchedulerLike object is fine). */
export function checkSchedulerCopy(scheduler: object): void {
  if (scheduler instanceof Scheduler) return;
  for (let proto = Object.getPrototypeOf(scheduler); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'Scheduler') {
      const other = otherCopies().find(
        (build) => require.cache[join(build, 'internal', 'Scheduler.js')]?.exports?.Scheduler === proto.constructor,
      );
      if (other === undefined) return; // a class of its own that happens to be called Scheduler
      throw new TypeError(`the scheduler given is a ${scheduler.constructor?.name ?? 'Scheduler'} of another copy of rxjs. ${fix(other)}`);
    }
  }
}

/**
 * rxmp is about to keep time on its own `asyncScheduler`: refuses to inside
 * another copy's `TestScheduler.run`, and warns once that two copies are loaded.
 */
export function checkDefaultScheduler(): void {
  const copies = otherCopies();
  if (copies.length === 0) return;
  for (const other of copies) {
    const provider = require.cache[join(other, 'internal', 'scheduler', 'dateTimestampProvider.js')]?.exports as
      | { dateTimestampProvider?: { delegate?: unknown } }
      | undefined;
    if (provider?.dateTimestampProvider?.delegate !== undefined) {
      throw new TypeError(`rxmp was used inside a TestScheduler.run of another copy of rxjs. ${fix(other)}`);
    }
  }
  if (warned) return;
  warned = true;
  process.emitWarning(`two copies of rxjs are loaded. ${fix(copies[0] as string)}`, { type: 'RxmpWarning', code: 'RXMP_TWO_RXJS' });
}
