/** The trivial task, for piscina. */
export default function task(x: number): number {
  return x * 2;
}
