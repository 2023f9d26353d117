#!/usr/bin/env python3
"""snfpy reference for affinities whose row-normalised matrices are symmetric only to ~1e-6 (NearSymmetricFusionTests).

scikit-learn's check_symmetric (rtol 1e-5, atol 1e-10), which snfpy's snf() applies after the row normalisation, leaves
such a matrix as it is, so its asymmetry reaches the propagation S A S^T. Three views of 40 samples: a symmetric
circulant W_ij = exp(-(d_ij / s_v)^2) + 0.05 (d_ij the circular distance |i - j| mod 40, s_v = 2.5, 4, 6) plus a
symmetric perturbation 5e-6 (R + R^T) / 2 (R uniform on [0, 1), seeded). A circulant has equal row sums, so its
row-normalised matrix is symmetric; the perturbation makes the row sums differ by ~1e-6 relative. K = 5 keeps, in
every row, the sample and its neighbours at circular distance 1 and 2 (no ties at the cut).

Regenerate (Debian 12: apt-get install python3-sklearn, scikit-learn 1.2.1, numpy 1.24; snfpy (rmarkello/snfpy) on
PYTHONPATH, whose snf.compute.snf this calls):
    PYTHONPATH=/path/to/snfpy /usr/bin/python3 make_near_symmetric.py   (in this folder)
Writes affinity_view{1,2,3}.csv and fused_K5_t{1,3}.csv (17 significant digits).
"""
import numpy as np
from sklearn.utils.validation import check_symmetric
from snf.compute import snf

n, k = 40, 5
rng = np.random.default_rng(5)
index = np.arange(n)
distance = np.abs(index[:, None] - index[None, :])
distance = np.minimum(distance, n - distance)
affinities = []
for view, scale in enumerate((2.5, 4.0, 6.0), start=1):
    r = rng.uniform(0.0, 1.0, (n, n))
    w = np.exp(-(distance / scale) ** 2) + 0.05 + 5e-6 * (r + r.T) / 2
    assert np.array_equal(w, w.T)
    p = w / w.sum(axis=1, keepdims=True)
    relative = np.abs(p - p.T).max() / p.max()
    # The premise: asymmetric after the row normalisation, yet within check_symmetric's tolerance.
    assert 1e-8 < relative < 1e-5, relative
    assert check_symmetric(p, raise_warning=False) is p
    print(f"view {view}: relative asymmetry of the row-normalised matrix {relative:.2e}")
    np.savetxt(f"affinity_view{view}.csv", w, delimiter=",", fmt="%.17g")
    affinities.append(w)

for t in (1, 3):
    fused = snf(*[a.copy() for a in affinities], K=k, t=t)
    np.savetxt(f"fused_K{k}_t{t}.csv", fused, delimiter=",", fmt="%.17g")
