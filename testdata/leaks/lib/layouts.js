'use strict';
// Prints how each leak of a snapshot hangs in its graph, hop by hop, for
// LAYOUTS.md: the shortest path from the root to the holder (weak and
// non-root shortcut edges skipped, as DevTools' dominators do), the hops from
// the holder to one accumulated item, and from the item to what it holds.
// Reads NAME.facts.json for the holder and item ids.
//
// usage: node lib/layouts.js NAME [SNAPSHOT]   (default snapshots/NAME.heapsnapshot.gz)
const fs = require('fs');
const path = require('path');
const { load } = require('../../scenarios/lib/heapsnapshot');

const [name, file] = process.argv.slice(2);
if (!name) throw new Error('usage: node lib/layouts.js NAME [SNAPSHOT]');
const dir = path.join(__dirname, '..', 'snapshots');
const facts = JSON.parse(fs.readFileSync(path.join(dir, name + '.facts.json'), 'utf8'));
const s = load(file || path.join(dir, name + '.heapsnapshot.gz'));

const nodeText = (n) => {
  const nm = s.name(n);
  return `${s.type(n)} ${JSON.stringify(nm.length > 90 ? nm.slice(0, 90) + '…' : nm)} @${s.id(n)}`;
};
const edgeText = (st) => `-${st.edgeType}:${typeof st.edge === 'string' ? JSON.stringify(st.edge) : st.edge}->`;

// Shortest path from `from` to the first node `want(n)` accepts, over edges
// that are not weak, and not shortcuts except the root's (DevTools' rule):
// [{edgeType, edge, node}].
function bfs(from, want, skip = () => false) {
  return s.pathTo(want, from, {
    skipEdgeTypes: ['weak'],
    skip: (type, edgeName, src, to) => (type === 'shortcut' && src !== 0) || skip(type, edgeName, to),
  });
}

// From an item to what it holds: through contexts, registers and fields,
// not through prototypes, maps, code or the NativeContext.
const SKIP_NAMES = new Set(['__proto__', 'constructor', 'prototype', 'map', 'shared', 'code', 'feedback_cell', 'scope_info']);
function heldSkip(type, edgeName, to) {
  return SKIP_NAMES.has(edgeName) || s.name(to).startsWith('system / NativeContext');
}

// The hops of a path, with runs of the same edge between same-named nodes
// folded into one line ("×N").
function hops(p) {
  if (!p) return ['  (no path)'];
  const lines = [];
  for (let i = 0; i < p.length; i++) {
    let j = i;
    while (j + 1 < p.length && p[j + 1].edgeType === p[i].edgeType && p[j + 1].edge === p[i].edge && s.name(p[j + 1].node) === s.name(p[i].node)) j++;
    lines.push(`  ${edgeText(p[i])}${j > i ? ` ×${j - i + 1}` : ''} ${nodeText(p[j].node)}`);
    i = j;
  }
  return lines;
}

for (const l of facts.leaks) {
  if (!l.holder || l.count === 0) continue;
  const holder = s.byId(l.holder.id);
  const item = l.items && l.items.sampleIds.length ? s.byId(l.items.sampleIds[0]) : -1;
  console.log(`## ${l.id} (${l.count}) — ${l.anchor.text}`);
  // The root's own shortcut edges lead to the global object, which DevTools
  // treats as the user root; they are followed from the root only.
  console.log(`root -> holder:\n  ${nodeText(0)}`);
  console.log(hops(bfs(0, (n) => n === holder)).join('\n'));
  if (item >= 0) {
    console.log('holder -> item:');
    console.log(hops(bfs(holder, (n) => n === item)).join('\n'));
    const held = l.accumulates && Object.keys(l.accumulates.holds || {}).filter((k) => k !== 'this').pop();
    if (held) {
      const cls = Object.keys(l.accumulates.holds[held])[0];
      console.log(`item -> ${held} (${cls}):`);
      console.log(hops(bfs(item, (n) => s.name(n) === cls && s.type(n) === 'object', heldSkip)).join('\n'));
    }
  }
  console.log('');
}
