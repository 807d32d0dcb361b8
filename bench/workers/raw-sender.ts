/** Baseline child for raw process.send (JSON): on "go", sends `n` ints, one message each. */
const n = Number(process.argv[2]);
process.once('message', () => {
  for (let i = 0; i < n; i++) process.send?.(i);
  process.send?.('done', () => process.disconnect());
});
process.send?.('ready');
