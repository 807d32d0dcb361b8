/** One measurement's result, printed as the last line of a bench program for the harness to read. */
export interface Result {
  value: number;
  unit: string;
  /** Anything else worth keeping in latest.json. */
  detail?: Record<string, unknown>;
}

export function report(result: Result): void {
  console.log(JSON.stringify(result));
}

/** The 10-field object every object scenario sends (numbers, short strings, a nested array). */
export function item(i: number): Record<string, unknown> {
  return {
    id: i,
    name: `item-${i}`,
    price: i * 1.5,
    qty: i % 7,
    active: i % 2 === 0,
    tags: ['a', 'b', 'c'],
    ts: 1700000000000 + i,
    code: `X${i % 100}`,
    ratio: 0.25,
    note: 'hello',
  };
}

export function argInt(index: number, fallback: number): number {
  const raw = process.argv[index];
  return raw === undefined ? fallback : Number(raw);
}
