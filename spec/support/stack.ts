/** Running code with the stack already partly used, to check limits that depend on how deep a call is made. */

/** Runs `fn` with `frames` frames of a small recursive function below it; `undefined` if the stack ran out first. */
export function atStackDepth<T>(frames: number, fn: () => T): { value: T } | undefined {
  const dive = (n: number): { value: T } => (n === 0 ? { value: fn() } : dive(n - 1));
  try {
    return dive(frames);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** How many frames of `atStackDepth`'s recursive function fit on this thread's stack. */
export function stackFrames(): number {
  let lo = 1;
  let hi = 1 << 20;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (atStackDepth(mid, () => 0)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
