/** The trivial task for the Pool rows (the same as piscina's and Python's): x → 2x. */
export default function poolTask(x: number): number {
  return x * 2;
}
