'use strict';
// Usage: NODE_PATH=…/node_modules node check.js resolved.tsv
// Checks every row of resolved.tsv (heapsnap's resolution of each location in
// the fixture's scripts, written by `go test ./internal/sources -update`)
// against Mozilla's source-map library, an independent implementation:
// originalPositionFor with its default bias (greatest lower bound) on the
// map the row's script uses, found here from the fixture's layout.
const fs = require('fs');
const path = require('path');
const { SourceMapConsumer } = require('source-map');

const here = __dirname;
const consumers = new Map();

// The committed copy of a script a snapshot names.
function localScript(script) {
  for (const prefix of ['/tmp/heapsnap-sourcemaps/', '/app/']) {
    if (script.startsWith(prefix)) return path.join(here, script.slice(prefix.length));
  }
  throw new Error(`unexpected script ${script}`);
}

function consumer(script) {
  if (consumers.has(script)) return consumers.get(script);
  const file = localScript(script);
  const src = fs.readFileSync(file, 'utf8');
  const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(src);
  if (!m) throw new Error(`${file}: no sourceMappingURL`);
  let json;
  let dir = path.dirname(file);
  const inline = /^data:application\/json;base64,(.*)$/.exec(m[1]);
  if (inline) json = Buffer.from(inline[1], 'base64').toString('utf8');
  else json = fs.readFileSync(path.join(dir, m[1]), 'utf8');
  const c = { smc: new SourceMapConsumer(JSON.parse(json)), dir };
  consumers.set(script, c);
  return c;
}

const rows = fs.readFileSync(process.argv[2] || path.join(here, 'resolved.tsv'), 'utf8').replace(/\n$/, '').split('\n');
const header = rows.shift().split('\t');
let bad = 0;
for (const line of rows) {
  const r = Object.fromEntries(line.split('\t').map((v, i) => [header[i], v]));
  const { smc, dir } = consumer(r.script);
  const o = smc.originalPositionFor({ line: +r.line, column: +r.column - 1 });
  const want = o.source === null ? '-' :
    `${path.relative(here, path.resolve(dir, o.source))}:${o.line}:${o.column + 1}\t${o.name ?? ''}`;
  const got = `${r.source}${r.source === '-' ? '' : ':' + r.source_line + ':' + r.source_column + '\t' + r.name}`;
  if (want !== got) {
    bad++;
    console.log(`MISMATCH ${r.fixture} ${r.script}:${r.line}:${r.column}: heapsnap ${JSON.stringify(got)}, source-map ${JSON.stringify(want)}`);
  }
}
console.log(`check.js: ${rows.length - bad} of ${rows.length} rows agree with source-map`);
process.exit(bad ? 1 : 0);
