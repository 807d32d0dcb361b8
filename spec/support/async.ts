import { expect } from 'chai';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settles (either way) within `ms` of real time. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** Awaits a rejection and checks its class; returns the error for further checks. */
export async function expectRejection<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await promise };
  } catch (error) {
    outcome = { error };
  }
  if ('value' in outcome) expect.fail(`expected a ${type.name} rejection, got the value ${String(outcome.value)}`);
  expect(outcome.error, `rejection is a ${type.name}`).to.be.instanceOf(type);
  return outcome.error as E;
}

/** Awaits `promise`, failing the test if it has not settled within `ms` (a generous bound, not a timing claim). */
export async function settles<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `predicate` holds, turning the event loop (a generous bound, not a timing claim). */
export async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(2);
  }
}
