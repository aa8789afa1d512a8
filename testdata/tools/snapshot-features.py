#!/usr/bin/env python3
"""Lists which corner cases a .heapsnapshot exercises, as seen by the DevTools oracle.

usage: snapshot-features.py [--json] SNAPSHOT[.gz]...

For each file it runs the oracle ($HEAPSNAP_ORACLE, default /tmp/devtools-oracle)
on a temporary copy (nodes + classes TSV; DevTools' own "unreachable" reports are
read from its stderr) and also reads the snapshot itself. One line per file:

  nodes, edges               counts
  weak_only=N                nodes DevTools lists under "The following nodes have only
                             weak retainers" (its "N nodes are unreachable from the
                             root" report); includes members of weak-only cycles
  unreachable=N              the N of "Heap snapshot: N nodes are unreachable from the root"
  still_unreachable=N        the N of "Heap snapshot: Still found N unreachable nodes"
                             (cliques that only retain one another)
  ephemeron=N                edges whose name is a V8 WeakMap ephemeron label
                             ("... part of key (...) -> value (...) pair in WeakMap (table @...)")
  user_roots=0|1             1 if any edge of the root points at a non-synthetic node or
                             at "(Document DOM trees)" (DevTools' hasUserRoots)
  detachedness=0|1           meta.node_fields has "detachedness"
  div_names=N                nodes whose (DevTools) name contains "<div"
  detached_natives=N         native nodes whose DevTools name starts with "Detached "
  renamed_detached=N         of those, the ones DevTools renamed (file name lacks the prefix)
  self_edges=N               edges from a node to itself
  dom_trees=0|1              a "(Document DOM trees)" node is present (a page-object entry point)
  root_weak=0|1              the root has a weak edge
  locations=N                entries in "locations" (objects whose class key has a location)
  collisions=KEY;...         public class keys under which DevTools lost members to the
                             class-key collision quirk: the Summary row count for the key
                             is lower than the number of nodes with that class name and
                             non-zero (adjusted) self size that carry that key
"""
import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ORACLE = os.environ.get('HEAPSNAP_ORACLE', '/tmp/devtools-oracle')
EPHEMERON = re.compile(r'part of key \(.*\) -> value \(.*\) pair in WeakMap \(table @\d+\)')


def unescape(s):
    return re.sub(r'\\(.)', lambda m: {'t': '\t', 'n': '\n', 'r': '\r', '\\': '\\'}[m.group(1)], s)


def read_tsv(path):
    with open(path, encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        for line in f:
            yield dict(zip(header, (unescape(v) for v in line.rstrip('\n').split('\t'))))


def features(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', encoding='utf-8') as f:
        snap = json.load(f)
    meta = snap['snapshot']['meta']
    nf = meta['node_fields']
    nfc = len(nf)
    efc = len(meta['edge_fields'])
    ntypes = meta['node_types'][0]
    etypes = meta['edge_types'][0]
    nodes, edges, strings = snap['nodes'], snap['edges'], snap['strings']
    n = len(nodes) // nfc
    t_off, n_off, ec_off = nf.index('type'), nf.index('name'), nf.index('edge_count')
    e_t, e_n, e_to = (meta['edge_fields'].index(k) for k in ('type', 'name_or_index', 'to_node'))
    eph = self_edges = 0
    user_roots = False
    root_weak = False
    e = 0
    for i in range(n):
        for _ in range(nodes[i * nfc + ec_off]):
            et = etypes[edges[e + e_t]]
            to = edges[e + e_to] // nfc
            if et not in ('element', 'hidden') and EPHEMERON.search(strings[edges[e + e_n]]):
                eph += 1
            if to == i:
                self_edges += 1
            if i == 0:
                root_weak = root_weak or et == 'weak'
                tt = ntypes[nodes[to * nfc + t_off]]
                if tt != 'synthetic' or strings[nodes[to * nfc + n_off]] == '(Document DOM trees)':
                    user_roots = True
            e += efc
    file_names = [strings[nodes[i * nfc + n_off]] for i in range(n)]

    tmp = tempfile.mkdtemp(prefix='heapsnap-features.')
    try:
        local = os.path.join(tmp, 's.heapsnapshot')
        if path.endswith('.gz'):
            with gzip.open(path, 'rb') as src, open(local, 'wb') as dst:
                shutil.copyfileobj(src, dst)
        else:
            shutil.copy(path, local)
        r = subprocess.run(['node', os.path.join(ORACLE, 'run.mjs'), local, '--out', local + '.nodes.tsv',
                            '--classes', local + '.classes.tsv', '--top', '0'],
                           capture_output=True, text=True, check=True)
        err = r.stderr
        m = re.search(r'Heap snapshot: (\d+) nodes are unreachable from the root', err)
        unreachable = int(m.group(1)) if m else 0
        m = re.search(r'Heap snapshot: Still found (\d+) unreachable nodes', err)
        still = int(m.group(1)) if m else 0
        weak_only = 0
        m = re.search(r'The following nodes have only weak retainers:\n(.*?)(?:\n\[oracle\] (?!  )|\Z)', err, re.S)
        if m:
            weak_only = len([ln for ln in m.group(1).split('\n') if ln.startswith('[oracle]   ')])
        rows = list(read_tsv(local + '.nodes.tsv'))
        classes = list(read_tsv(local + '.classes.tsv'))
    finally:
        shutil.rmtree(tmp)

    div = sum(1 for r in rows if '<div' in r['name'])
    det = [r for r in rows if r['type'] == 'native' and r['name'].startswith('Detached ')]
    renamed = sum(1 for r in det if not file_names[int(r['ordinal'])].startswith('Detached '))
    # Collision check: Summary members are nodes with non-zero adjusted self size.
    # Keys with a location ("sid,line,col,Name") are never shared, so compare per class
    # name: members expected vs. members in all Summary rows of that name.
    expected = collections.Counter(r['class_name'] for r in rows if int(r['self_size']) != 0 and r['ordinal'] != '0')
    # nodes.tsv clips class names at 200 UTF-16 units (run.mjs clip()); do the same.
    def clip200(s):
        u = s.encode('utf-16-le', 'surrogatepass')
        return s if len(u) <= 400 else u[:400].decode('utf-16-le', 'replace') + '\u2026'

    got = collections.Counter()
    for c in classes:
        got[clip200(c['name'])] += int(c['count'])
    collisions = sorted(',' + k for k in expected if got[k] < expected[k])
    return collections.OrderedDict([
        ('nodes', n), ('edges', len(edges) // efc), ('weak_only', weak_only), ('unreachable', unreachable),
        ('still_unreachable', still), ('ephemeron', eph), ('user_roots', int(user_roots)),
        ('detachedness', int('detachedness' in nf)), ('div_names', div), ('detached_natives', len(det)),
        ('renamed_detached', renamed), ('self_edges', self_edges),
        ('dom_trees', int('(Document DOM trees)' in file_names)), ('root_weak', int(root_weak)),
        ('locations', len(snap.get('locations', [])) // max(1, len(meta.get('location_fields', [])))),
        ('collisions', collisions),
    ])


def main():
    args = sys.argv[1:]
    as_json = '--json' in args
    files = [a for a in args if a != '--json']
    if not files:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = {}
    for p in files:
        f = features(p)
        out[os.path.basename(p)] = f
        if not as_json:
            print(os.path.basename(p) + '\t' + ' '.join(
                '%s=%s' % (k, ';'.join(v) if isinstance(v, list) else v) for k, v in f.items()))
    if as_json:
        json.dump(out, sys.stdout, indent=1)
        print()


if __name__ == '__main__':
    main()
