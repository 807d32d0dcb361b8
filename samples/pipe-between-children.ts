/**
 * Two forked children joined by a Pipe: the sensor writes readings into its
 * end, the analyst reads them from the other and sends a report back through
 * output$. The parent only hands out the ends; the children talk directly.
 *
 *   node dist/samples/pipe-between-children.js [readings]
 */
import { firstValueFrom } from 'rxjs';
import { Pipe, Process } from 'rxmp';
import type { Report } from './workers/analyst.js';

const READINGS = Number(process.argv[2] ?? 10_000);
const [analystEnd, sensorEnd] = Pipe(false); // [receiving end, sending end]

const analyst = new Process({ target: new URL('./workers/analyst.js', import.meta.url), args: [analystEnd], name: 'analyst' });
const sensor = new Process({ target: new URL('./workers/sensor.js', import.meta.url), args: [sensorEnd, READINGS], name: 'sensor' });
const started = performance.now();
analyst.start();
sensor.start();

const report = (await firstValueFrom(analyst.output$)) as Report;
const codes = [await sensor.join(), await analyst.join()];
const ms = performance.now() - started;
console.log(
  `analyst got ${report.readings} readings from the sensor (${report.inOrder ? 'in order' : 'OUT OF ORDER'}), ` +
    `min ${report.min.toFixed(2)} °C, max ${report.max.toFixed(2)} °C, in ${ms.toFixed(0)} ms; exit codes ${codes.join(',')}`,
);
if (report.readings !== READINGS || !report.inOrder || codes.some((c) => c !== 0)) process.exitCode = 1;
