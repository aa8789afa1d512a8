'use strict';
// Shape 5, a closure that keeps a large variable it does not use (the shared
// context leak). register() makes two closures in one scope: logSize() uses
// `payload`, onMessage() does not, but both share the scope's context, so
// every onMessage kept in the module-scope `handlers` array keeps its 256-
// element payload alive. Leaky variant: 1,000 handlers, 1,000 payloads.
// The fixed twin (../fixed/closure.js) drops payload after logging its size:
// the same 1,000 handlers, with nothing large in their contexts.
const HANDLERS = 1000;

const handlers = [];

function register(id) {
  let payload = new Array(256).fill(id);
  const logSize = () => payload.length;
  logSize();
  payload = null; // onMessage shares this context
  handlers.push(function onMessage(msg) { return msg === id; });
}

exports.run = function run() {
  for (let id = 0; id < HANDLERS; id++) register(id);
};
