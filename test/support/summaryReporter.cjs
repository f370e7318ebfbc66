// Mocha's spec reporter, plus one machine-readable last line with the counts, so the tier runner can total
// every tier the same way, including the one whose output arrives through a browser page from the extension host.
'use strict';
const Mocha = require('mocha');

const MARKER = 'AISTUDIO_SUMMARY';

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      console.log(`${MARKER} ${JSON.stringify({ passed: passes, failed: failures, pending })}`);
    });
  }
}

/** Finds the counts in a tier's output; undefined when the tier died before mocha finished. */
function parseSummary(text) {
  const line = text.split('\n').reverse().find((l) => l.includes(MARKER));
  return line ? JSON.parse(line.slice(line.indexOf(MARKER) + MARKER.length)) : undefined;
}

module.exports = SummaryReporter;
module.exports.parseSummary = parseSummary;
module.exports.MARKER = MARKER;
