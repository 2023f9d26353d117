#!/usr/bin/env python3
"""Reference value of scikit-learn's mutual_info_regression on columns of very different scales, for
KsgEstimatorTests (KsgEstimatorOptions.ScaleColumns).

Regenerate (Debian 12: apt-get install python3-sklearn, scikit-learn 1.2.1, numpy 1.24):
    /usr/bin/python3 make_scaled_fixture.py   (in this folder)
Writes data.csv (200 rows, headerless: x, y) and expected.csv (header, one row). x ~ 1000 * N(0, 1) and
y = 1e-3 * (x / 1000 + 0.6 * N(0, 1)): the two variables differ in scale by 1e6, so the max-norm KSG of the data as
given is dominated by x and is far from the estimate on scaled columns.
Columns of expected.csv:
    sklearn_nats    mutual_info_regression(x, y, n_neighbors=3, random_state=0)[0]: scale(x), scale(y), then noise
                    1e-10 * max(1, mean |.|) * N(0, 1) on each, KSG, clip at 0
    scaled_nats     _compute_mi_cc(scale(x), scale(y), 3): the same without the noise (what ScaleColumns computes)
    unscaled_nats   _compute_mi_cc(x, y, 3): the data as given (ScaleColumns = false)
The script checks |sklearn_nats - scaled_nats| < 1e-9 (the noise is 1e-10 of the scaled values and moves no
neighbour count) and that unscaled_nats differs from it by more than 0.1.
"""
import numpy as np
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc
from sklearn.preprocessing import scale

rng = np.random.default_rng(2024)
n = 200
x = 1000.0 * rng.standard_normal(n)
y = 1e-3 * (x / 1000.0 + 0.6 * rng.standard_normal(n))
np.savetxt("data.csv", np.column_stack([x, y]), delimiter=",", fmt="%.17g")
# Read back what was written, so the values below are those of the fixture's decimal text.
data = np.loadtxt("data.csv", delimiter=",")
x, y = data[:, 0].copy(), data[:, 1].copy()

sklearn_nats = mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=3, random_state=0)[0]
scaled_nats = _compute_mi_cc(scale(x.reshape(-1, 1), with_mean=False).ravel(), scale(y, with_mean=False), 3)
unscaled_nats = _compute_mi_cc(x, y, 3)
assert abs(sklearn_nats - scaled_nats) < 1e-9, (sklearn_nats, scaled_nats)
assert abs(sklearn_nats - unscaled_nats) > 0.1, (sklearn_nats, unscaled_nats)
with open("expected.csv", "w") as f:
    f.write("sklearn_nats,scaled_nats,unscaled_nats\n")
    f.write(f"{sklearn_nats!r},{scaled_nats!r},{unscaled_nats!r}\n")
print(sklearn_nats, scaled_nats, unscaled_nats, abs(sklearn_nats - scaled_nats))
