'use strict';
// Shape 6, promises that never settle, with reactions piling up on them.
// `connected` (module scope) is meant to resolve once the database is up;
// every query waits on it. Leaky variant: connect() forgets to resolve it, so
//   - 800 query() calls each leave a .then(function runQuery) reaction;
//   - 200 loadUser() async calls each stay suspended at `await connected`;
// all on the one pending promise, each holding its Query / UserRequest.
// The fixed twin (../fixed/promises.js) resolves it: every reaction runs.
const QUERIES = 800;
const USERS = 200;

class Query {
  constructor(id) {
    this.id = id;
    this.sql = 'SELECT * FROM items WHERE id = ?';
    this.params = new Array(20).fill(id);
  }
}
class UserRequest {
  constructor(id) { this.id = id; this.fields = new Array(20).fill(id); }
}

let resolveConnected;
const connected = new Promise((resolve) => { resolveConnected = resolve; });

function query(id) {
  const q = new Query(id);
  connected.then(function runQuery() { return q.sql; });
}

async function loadUser(id) {
  const request = new UserRequest(id);
  await connected;
  return request.id;
}

function connect() {
  // BUG: resolveConnected() is never called.
}

exports.run = function run() {
  for (let id = 0; id < QUERIES; id++) query(id);
  for (let id = 0; id < USERS; id++) loadUser(id);
  connect();
};
