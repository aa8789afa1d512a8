'use strict';
// Shape 4, collections used as caches, each filled per request and never
// evicted. Leaky variant:
//   - responses      module-scope Map, 2,000 entries 'req-<n>' -> CachedResponse
//   - seenTokens     module-scope Set, 500 strings 'tok-<n>:' + 200 characters
//   - global.auditLog  Array, 500 AuditEntry objects
//   - sessionsById   module-scope object used as a dictionary, 500 keys 'sess-<n>' -> Session
//   - UserStore.cache  class static field, Map with 300 entries 'user-<n>' -> UserRecord
// The fixed twin (../fixed/collections.js) bounds each one to its newest 50 entries.
// None of them is on global except auditLog: the module's functions' shared
// context is what holds them.
const REQUESTS = 2000;
const KEEP = 50;
const TOKEN_SECRET = 'abcd'.repeat(50); // 200 characters; join() makes flat strings

class CachedResponse {
  constructor(n) {
    this.status = 200;
    this.bytes = 40 * 8;
    this.rows = new Array(40).fill(n);
  }
}
class AuditEntry {
  constructor(n) { this.seq = n; this.action = 'read'; this.fields = new Array(30).fill(n); }
}
class Session {
  constructor(n) { this.id = n; this.user = n % 97; this.scopes = new Array(30).fill(n); }
}
class UserRecord {
  constructor(n) { this.id = n; this.roles = new Array(30).fill(n % 3); }
}
class UserStore {
  static cache = new Map();
  static remember(n) {
    UserStore.cache.set('user-' + n, new UserRecord(n));
    if (n >= KEEP) UserStore.cache.delete('user-' + (n - KEEP));
  }
}

const responses = new Map();
const seenTokens = new Set();
const sessionsById = {};

function handle(n) {
  responses.set('req-' + n, new CachedResponse(n));
  if (n >= KEEP) responses.delete('req-' + (n - KEEP));
  if (n < 500) seenTokens.add(['tok-', n, ':', TOKEN_SECRET].join(''));
  if (n < 500 && n >= KEEP) seenTokens.delete(['tok-', n - KEEP, ':', TOKEN_SECRET].join(''));
  if (n < 500) global.auditLog.push(new AuditEntry(n));
  if (global.auditLog.length > KEEP) global.auditLog.shift();
  if (n < 500) sessionsById['sess-' + n] = new Session(n);
  if (n < 500 && n >= KEEP) delete sessionsById['sess-' + (n - KEEP)];
  if (n < 300) UserStore.remember(n);
}

exports.run = function run() {
  global.auditLog = [];
  for (let n = 0; n < REQUESTS; n++) handle(n);
};
