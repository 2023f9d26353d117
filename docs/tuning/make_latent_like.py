#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder whose class signal is dense and correlated, as omics data often is, rather
than carried by a few independent features: a check of width-dependent defaults (docs/results.md, fourteenth session;
its parameters were written before any run and not changed after). 500 samples (350 / 150 split, first 350 rows
train), 3 balanced classes; 8 latent factors per sample, standard normal, of which factors 1-2 get a class-dependent
mean (class centroids drawn N(0, 0.6^2)); 3 modalities of 1500 / 1000 / 400 features, each feature a random mix of the
8 factors (loadings N(0, 1 / 8)) times a modality gain (1.0 / 0.6 / 0.4) plus unit noise, so every feature carries a
little of the signal and the features are strongly correlated. Needs numpy. Usage: make_latent_like.py OUT_DIR"""
import os, sys
import numpy as np
from mogonet_folder import write_labels, write_modality

out = sys.argv[1]; os.makedirs(out, exist_ok=True)
r = np.random.default_rng(5)
n, n_train, classes, factors = 500, 350, 3, 8
y = r.permutation(np.arange(n) % classes)
z = r.standard_normal((n, factors))
z[:, :2] += (r.standard_normal((classes, 2)) * 0.6)[y]
train = np.arange(n) < n_train
for m, (d, gain) in enumerate([(1500, 1.0), (1000, 0.6), (400, 0.4)], 1):
    loadings = r.standard_normal((factors, d)) / np.sqrt(factors)
    x = gain * z @ loadings + r.standard_normal((n, d))
    write_modality(out, m, x, train)
write_labels(out, y, train)
