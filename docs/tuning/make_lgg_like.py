#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder shaped like LGG in MOGONET's release (510 samples, 2 classes, 2000 / 2000 /
548 features, 357 / 153 split, first 357 rows train), as a check of width-dependent defaults (docs/results.md,
fourteenth session; its parameters were written before any run and not changed after). Standard-normal features; a
class-dependent mean (class centroids drawn N(0, s^2)) on the first 30 / 30 / 15 features with s = 0.35 / 0.3 / 0.25;
classes 55 / 45 %. Needs numpy. Usage: make_lgg_like.py OUT_DIR"""
import os, sys
import numpy as np
from mogonet_folder import write_labels, write_modality

out = sys.argv[1]; os.makedirs(out, exist_ok=True)
r = np.random.default_rng(11)
n, n_train = 510, 357
y = (r.random(n) < 0.45).astype(int)
train = np.arange(n) < n_train
for m, (d, k, s) in enumerate([(2000, 30, 0.35), (2000, 30, 0.3), (548, 15, 0.25)], 1):
    x = r.standard_normal((n, d))
    x[:, :k] += (r.standard_normal((2, k)) * s)[y]
    write_modality(out, m, x, train)
write_labels(out, y, train)
