// usage: deno run --inspect=127.0.0.1:0 main.js leak|fixed
// (run by ../../tools/deno-snapshot.mjs, which takes the snapshot over the
// inspector once globalThis.fixtureReady is true, then ends the process).
// Loads ./leak/app.js or ./fixed/app.js (the same module with the bugs
// fixed, line for line) and runs it.
const variant = Deno.args[0];
if (variant !== 'leak' && variant !== 'fixed') throw new Error('usage: main.js leak|fixed');
const { run } = await import(`./${variant}/app.js`);
run();
// After 300 ms every 20 ms heartbeat has fired several times, and no 60 s
// timer has fired yet.
setTimeout(function ready() { globalThis.fixtureReady = true; }, 300);
// Keeps the fixed twin's process alive until the snapshot is taken: one
// pending timer that is not a leak.
setTimeout(function keepAlive() {}, 600000);
