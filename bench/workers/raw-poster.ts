import { parentPort, workerData } from 'node:worker_threads';

/** Baseline worker for raw postMessage: on "go", posts `n` ints, one message each. */
const n = workerData as number;
parentPort?.once('message', () => {
  for (let i = 0; i < n; i++) parentPort?.postMessage(i);
  parentPort?.postMessage('done');
});
parentPort?.postMessage('ready');
