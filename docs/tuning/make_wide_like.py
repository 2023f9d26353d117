#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder with very wide modalities and a sparse linear signal, as a generalisation
check of the defaults (docs/results.md, thirteenth session; not a tuning target). 600 samples (420 / 180 split,
first 420 rows train), 3 classes drawn uniformly, 3 modalities of 8000 / 3000 / 500 standard-normal features; a
class-dependent mean (class centroids drawn N(0, s^2)) on the first 40 / 20 / 10 features with s = 0.6 / 0.4 / 0.3.
Needs numpy. Usage: make_wide_like.py OUT_DIR"""
import os, sys
import numpy as np
from mogonet_folder import write_labels, write_modality

out = sys.argv[1]; os.makedirs(out, exist_ok=True)
r = np.random.default_rng(7)
n, classes = 600, 3
y = r.integers(0, classes, n)
train = np.arange(n) < 420
for m, (d, k, s) in enumerate([(8000, 40, 0.6), (3000, 20, 0.4), (500, 10, 0.3)], 1):
    x = r.standard_normal((n, d))
    x[:, :k] += (r.standard_normal((classes, k)) * s)[y]
    write_modality(out, m, x, train)
write_labels(out, y, train)
