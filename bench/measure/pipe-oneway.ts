/**
 * One-way Pipe throughput between two forked children: a writer sends `n`
 * ints, a reader receives them (rate from its first message to its last).
 *
 *   node dist/bench/measure/pipe-oneway.js n
 */
import { firstValueFrom } from 'rxjs';
import { Pipe, Process, Queue } from '../../src/index.js';
import { argInt, report } from './report.js';

const n = argInt(2, 200_000);
const [reader, writer] = Pipe<number>(false);
const ready = new Queue<number>();
const go = new Queue<number>();
const readerChild = new Process({ target: new URL('../workers/pipe-reader.js', import.meta.url), args: [reader, ready, n] }).start();
const writerChild = new Process({ target: new URL('../workers/pipe-writer.js', import.meta.url), args: [writer, ready, go, n] }).start();
await ready.get();
await ready.get();
await go.put(1);
const rate = (await firstValueFrom(readerChild.output$)) as number;
await Promise.all([readerChild.join(), writerChild.join()]);
report({ value: rate, unit: 'messages/s' });
