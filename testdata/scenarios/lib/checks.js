'use strict';
// The assertions of the fixtures' check scripts (this directory's check.js
// and ../../leaks/lib/check.js): count every check, collect the failures,
// and report them with exit status 1.
const failures = [];
let checks = 0;

function eq(what, got, want) {
  checks++;
  if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
function ok(what, cond) { checks++; if (!cond) failures.push(what); }
function fail(what) { checks++; failures.push(what); }

function report() {
  if (failures.length) {
    console.error(`check: ${failures.length} of ${checks} checks failed:\n  ` + failures.join('\n  '));
    process.exit(1);
  }
  console.log(`check: ${checks} passed, 0 failed`);
}

module.exports = { eq, ok, fail, report };
