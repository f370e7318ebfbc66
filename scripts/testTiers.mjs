// The test tiers, each run in its own process: a tier may start servers and browsers, and a crash or leak in
// one must not take the others with it. Every tier reports through test/support/summaryReporter.cjs.
// Order matters: integration loads the development build in dist/, and e2e then packs the production build.
const mocha = 'node_modules/mocha/bin/mocha.js';
const reporter = ['--reporter', 'test/support/summaryReporter.cjs'];

export const tiers = [
  {
    name: 'unit',
    args: [mocha, ...reporter, '--timeout', '10000', 'out/test/unit/**/*.test.js'],
  },
  {
    name: 'integration',
    args: ['scripts/runIntegration.mjs'],
  },
  {
    name: 'e2e',
    // --exit: the webview suites run host code in this process (panel controllers with their timers), and twice in CI
    // the tier's mocha stayed alive after its last test had reported, holding CI until its time limit. The summary
    // is read from the reporter, so nothing is lost by exiting once the run is over; the leak is still to be found.
    args: [mocha, ...reporter, '--exit', '--timeout', '120000', 'test/e2e/**/*.test.mjs'],
  },
];
