import { nativeMissingReason } from '../../src/native/native.js';

/**
 * Skips the running test where what it checks cannot hold, saying why: the
 * reason goes into the test's title, which the spec reporter prints as
 * pending and the summary reporter lists before its last line.
 */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  if (ctx.test) ctx.test.title += ` (skipped: ${reason})`;
  ctx.skip();
}

/** The orphan and process-group specs read /proc, and a child dies with its parent through prctl(PR_SET_PDEATHSIG): Linux only. */
export function linuxOnly(ctx: Mocha.Context): void {
  if (process.platform !== 'linux') skipBecause(ctx, `needs Linux (/proc, PR_SET_PDEATHSIG); this is ${process.platform}`);
}

/** Specs of what the native addon does (shared memory across processes, doorbells, descriptors): skipped, saying why, where it did not load. */
export function needsAddon(ctx: Mocha.Context): void {
  const reason = nativeMissingReason();
  if (reason !== undefined) skipBecause(ctx, `needs the native addon, which did not load: ${reason}`);
}
