'use strict';
// The order service of orders.js behind HTTP, for the signal recipe of
// docs/ci.md (signal.sh): started with --heapsnapshot-signal=SIGUSR2, it
// writes a heap snapshot whenever it gets the signal.
//
//   node --heapsnapshot-signal=SIGUSR2 server.js [PORTFILE]
//
// listens on a free port of 127.0.0.1 and writes the port to PORTFILE
// (default: port in the working directory).
// GET /order?id=N handles one request.
const fs = require('fs');
const http = require('http');
const { handle } = require('./orders');

const server = http.createServer((req, res) => {
  const id = Number(new URL(req.url, 'http://localhost').searchParams.get('id')) || 0;
  res.end(String(handle(id)));
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(process.argv[2] || 'port', String(server.address().port));
});
