import type { Link } from './link.js';

/**
 * Every live link of this thread, written out synchronously when the
 * process (or this worker thread) exits: a target that ends with
 * `process.exit(0)` right after its puts resolved has its items delivered,
 * although no turn of the event loop was left to flush them.
 */
const live = new Set<Link>();
let hooked = false;

export function flushEveryLinkAtExit(link: Link): void {
  live.add(link);
  link.onClose(() => live.delete(link));
  if (hooked) return;
  hooked = true;
  // 'exit' is emitted on a worker thread's own `process` too when it exits.
  process.on('exit', () => {
    for (const l of [...live]) {
      try {
        l.flushAtExit();
      } catch {
        // Exiting anyway: one link's trouble must not keep the others from writing.
      }
    }
  });
}
