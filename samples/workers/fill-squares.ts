import type { SharedArray, Value } from 'rxmp';

/** Fills its share of `squares` in place, and adds what it did to `rowsDone` under its lock. */
export default async function fill(squares: SharedArray<'d'>, rowsDone: Value<'i'>, { part, parts }: { part: number; parts: number }) {
  const chunk = Math.ceil(squares.length / parts);
  const end = Math.min(squares.length, (part + 1) * chunk);
  for (let i = part * chunk; i < end; i++) squares[i] = i * i;
  await rowsDone.getLock().runExclusive(() => {
    rowsDone.value += end - part * chunk; // a read and a write: the lock makes it one step
  });
}
