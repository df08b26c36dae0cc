#!/usr/bin/python3
# Reference values for src/metrics/rank-correlation.test.ts and distributions.test.ts:
#   /usr/bin/python3 tools/rank-correlation-reference.py
# (Debian's python3-scipy 1.10.1). Prints the cases as JSON; the test pins them.
import json
import scipy
from scipy import stats

cases = {
    'tie-in-y': ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
    'no-ties-exact': ([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]),
    'ties-both': ([1, 1, 2, 2, 3, 3, 3, 4], [10, 12, 11, 15, 13, 13, 20, 19]),
    'no-ties-asymptotic': (list(range(40)), [(7 * i) % 41 for i in range(40)]),
    'near-perfect-n40': (list(range(40)), [1, 0] + list(range(2, 40))),
}
out = {'scipy': scipy.__version__}
for name, (x, y) in cases.items():
    s = stats.spearmanr(x, y)
    k = stats.kendalltau(x, y)
    out[name] = {'x': x, 'y': y, 'spearman': [float(s.correlation), float(s.pvalue)], 'kendall': [float(k.correlation), float(k.pvalue)]}
out['t'] = {'t=2.1,df=5': float(2 * stats.t.sf(2.1, 5)), 't=0.3,df=30': float(2 * stats.t.sf(0.3, 30)), 't=8,df=3': float(2 * stats.t.sf(8, 3))}
out['normal'] = {'z=1.96': float(2 * stats.norm.sf(1.96)), 'z=0.1': float(2 * stats.norm.sf(0.1)), 'z=5': float(2 * stats.norm.sf(5))}
print(json.dumps(out, indent=1))
