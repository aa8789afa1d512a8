'use strict';
// The "integration tests" of the signal recipe: N requests, one at a time,
// to the server on PORT, numbered from FIRST.
//
//   node load.js PORT FIRST N
const http = require('http');

const [port, first, n] = process.argv.slice(2).map(Number);

function get(id) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/order?id=' + id }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

(async () => {
  for (let i = 0; i < n; i++) await get(first + i);
})().catch((err) => { console.error(err); process.exit(1); });
