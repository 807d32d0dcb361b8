import { Process, SharedArray, Value } from 'rxmp';

const size = Number(process.argv[2] ?? 1_000_000);
const squares = new SharedArray('d', size); // zero-filled shared memory, no copy anywhere
const rowsDone = new Value('i', 0); // with its own lock
const workers = [0, 1].map((part) =>
  new Process({
    target: new URL('./workers/fill-squares.js', import.meta.url),
    args: [squares, rowsDone, { part, parts: 2 }], // both children map the same pages
  }).start(),
);
const codes = await Promise.all(workers.map((w) => w.join()));

let wrong = 0;
for (let i = 0; i < size; i++) if (squares[i] !== i * i) wrong++;
console.log(`2 forked workers filled ${rowsDone.value} of ${size} elements; ${wrong} wrong; exit codes ${codes.join(',')}`);
