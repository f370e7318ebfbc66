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
    args: [mocha, ...reporter, '--timeout', '120000', 'test/e2e/**/*.test.mjs'],
  },
];
