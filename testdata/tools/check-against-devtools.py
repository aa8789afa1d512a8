#!/usr/bin/env python3
"""Checks heapsnap against Chrome DevTools' own engine on any snapshot.

Runs the DevTools oracle (../shared/devtools-oracle, installed as described in
its README; $HEAPSNAP_ORACLE, default /tmp/devtools-oracle) and heapsnap on the
same snapshot, then compares every node (id, adjusted self size, retained size,
distance, dominator, class) and every Summary row, and prints the mismatches.

usage: check-against-devtools.py SNAPSHOT [HEAPSNAP_BINARY]

Exit status 0 when everything agrees, 1 otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile


def unescape(s):
    # The oracle's and heapsnap's TSV escaping: \t \n \r \\.
    out, i = [], 0
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s):
            out.append({'t': '\t', 'n': '\n', 'r': '\r'}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return ''.join(out)


def unclip(ours, oracle):
    # The oracle clips long names to "prefix…".
    if oracle.endswith('…') and ours.startswith(oracle[:-1]):
        return oracle
    return ours


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    snap = sys.argv[1]
    heapsnap = sys.argv[2] if len(sys.argv) > 2 else 'heapsnap'
    oracle = os.environ.get('HEAPSNAP_ORACLE', '/tmp/devtools-oracle')
    with tempfile.TemporaryDirectory() as tmp:
        onodes, ojson = os.path.join(tmp, 'oracle.tsv'), os.path.join(tmp, 'oracle.json')
        subprocess.run(['node', '--max-old-space-size=16000', os.path.join(oracle, 'run.mjs'), snap,
                        '--out', onodes, '--json', ojson, '--quiet'], check=True, stdout=subprocess.DEVNULL)
        hnodes = subprocess.run([heapsnap, 'nodes', snap, '--quiet'], check=True, capture_output=True, text=True).stdout
        hjson = json.loads(subprocess.run([heapsnap, 'analyze', snap, '--format', 'json', '--top', '0', '--largest', '0',
                                           '--suspects', 'none', '--quiet'],
                                          check=True, capture_output=True, text=True).stdout)
        bad = 0
        with open(onodes, encoding='utf-8') as f:
            header = f.readline().rstrip('\n').split('\t')
            col = {h: k for k, h in enumerate(header)}
            ours = hnodes.split('\n')[1:]
            n = 0
            for line, mine in zip(f, ours):
                n += 1
                o = line.rstrip('\n').split('\t')
                m = mine.split('\t')
                want = [o[col['id']], o[col['self_size']], o[col['retained_size']], o[col['distance']],
                        o[col['dominator_id']], unescape(o[col['class_name']])]
                got = m[:5] + [unclip(unescape(m[6]), unescape(o[col['class_name']]))]
                if want != got:
                    bad += 1
                    if bad <= 10:
                        print('node', n - 1, 'DevTools', want, 'heapsnap', got)
        with open(ojson, encoding='utf-8') as f:
            o = json.load(f)
        want = [(c['classKey'], c['name'], c['count'], c['self'], c['maxRet'], c['distance']) for c in o['classes']]
        got = [(c['key'], c['name'], c['count'], c['shallow_size'], c['retained_size'], c['distance'])
               for c in hjson['classes']]
        cbad = sum(1 for a, b in zip(want, got) if a != b) + abs(len(want) - len(got))
        for a, b in zip(want, got):
            if a != b and cbad <= 10:
                print('class DevTools', a, 'heapsnap', b)
        total_ok = o['totalSize'] == hjson['total_size']
        print(f'{n} nodes, {bad} differ; {len(want)} classes, {cbad} differ; total size '
              f'{"equal" if total_ok else "differs"} ({o["totalSize"]})')
        sys.exit(0 if bad == 0 and cbad == 0 and total_ok else 1)


if __name__ == '__main__':
    main()
