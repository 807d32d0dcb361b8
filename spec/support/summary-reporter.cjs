'use strict';
// Mocha's spec reporter, plus the one-line summary CI reads: "N passed, N failed",
// after the list of tests skipped, each with its reason in its title (see skip.ts).
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    runner.on(EVENT_TEST_PENDING, (test) => skipped.push(test.fullTitle()));
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures } = runner.stats;
      // After the spec reporter's epilogue, so it is the last line printed.
      process.nextTick(() => {
        if (skipped.length > 0) console.log(`${skipped.length} skipped:\n${skipped.map((t) => `  ${t}`).join('\n')}`);
        console.log(`${passes} passed, ${failures} failed`);
      });
    });
  }
}

module.exports = SummaryReporter;
