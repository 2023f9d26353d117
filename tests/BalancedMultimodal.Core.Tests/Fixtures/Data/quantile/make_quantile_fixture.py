#!/usr/bin/env python3
"""Reference outputs of scikit-learn's QuantileTransformer(output_distribution="normal") for QuantileNormalizerTests.

Regenerate (Debian 12: apt-get install python3-sklearn, scikit-learn 1.2.1, numpy 1.24):
    /usr/bin/python3 make_quantile_fixture.py   (in this folder)
Writes x.csv (60 rows x 5 columns; rows 0-39 are the fitting rows), and for n_quantiles 1000 (capped at the 40
fitting rows) and 7: quantiles_<q>.csv (one row per column) and transformed_<q>.csv (all 60 rows transformed).
Columns: 0 log-normal (skewed), 1 uniform, 2 integers 0-4 (many ties), 3 constant on the fitting rows, 4 Gaussian with
an outlier. Rows 40-59 include values outside the fitted range and exactly on fitted values.
"""
import numpy as np
from sklearn.preprocessing import QuantileTransformer

rng = np.random.default_rng(7)
n = 60
x = np.column_stack([
    rng.lognormal(0.0, 1.0, n),
    rng.uniform(-2.0, 3.0, n),
    rng.integers(0, 5, n).astype(float),
    np.full(n, 2.5),
    rng.normal(0.0, 1.0, n),
])
x[5, 4] = 40.0                 # an outlier among the fitting rows
x[41, 0] = x[:40, 0].max() * 3  # above the fitted range
x[42, 1] = -10.0               # below it
x[43, 3] = 3.0                 # off the constant column
x[44, :] = x[7, :]             # exactly on fitted values
np.savetxt("x.csv", x, delimiter=",", fmt="%.17g")
for q in (1000, 7):
    t = QuantileTransformer(n_quantiles=q, output_distribution="normal").fit(x[:40])
    np.savetxt(f"quantiles_{q}.csv", t.quantiles_.T, delimiter=",", fmt="%.17g")
    np.savetxt(f"transformed_{q}.csv", t.transform(x), delimiter=",", fmt="%.17g")
