'use strict';
// Usage: node make-indexmap.js DIST OUTDIR
// Concatenates tsc's dist/*.js into one script, OUTDIR/main.js, with an
// index source map (OUTDIR/main.js.map, "sections") made of each file's own
// map. Each module is wrapped in a function that opens on the module's first
// line, so every section starts mid-line: its column offset applies to that
// first line only (ECMA-426), and the leak's line is not a first line.
const fs = require('fs');
const path = require('path');

const [dist, outDir] = process.argv.slice(2);
if (!dist || !outDir) throw new Error('usage: node make-indexmap.js DIST OUTDIR');
const modules = ['orders', 'data-processor', 'main'];

const header = [
  "'use strict';",
  '// Index-map fixture: tsc output of src/*.ts wrapped in a tiny module registry.',
  'const __defined = {};',
  'const __cache = {};',
  'function __require(name) {',
  "  const key = name.replace(/^\\.\\//, '');",
  '  if (!(key in __defined)) return require(name);',
  '  if (!(key in __cache)) { __cache[key] = {}; __defined[key](__cache[key], __require); }',
  '  return __cache[key];',
  '}',
];
const lines = [...header];
const sections = [];
for (const name of modules) {
  const code = fs.readFileSync(path.join(dist, name + '.js'), 'utf8')
    .replace(/\n\/\/# sourceMappingURL=.*$/, '');
  const map = JSON.parse(fs.readFileSync(path.join(dist, name + '.js.map'), 'utf8'));
  delete map.file;
  const prefix = `__defined[${JSON.stringify(name)}] = function (exports, require) { `;
  sections.push({ offset: { line: lines.length, column: prefix.length }, map });
  const body = code.split('\n');
  body[0] = prefix + body[0];
  body[body.length - 1] += ' };';
  lines.push(...body);
}
lines.push("__require('./main');");
lines.push('//# sourceMappingURL=main.js.map');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'main.js'), lines.join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'main.js.map'), JSON.stringify({ version: 3, file: 'main.js', sections }) + '\n');
