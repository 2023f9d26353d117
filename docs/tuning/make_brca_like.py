#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder shaped like BRCA (875 samples, 5 imbalanced classes, 1000 / 1000 / 503
features, 612 / 263 split). Only the shape is BRCA's; the values are Gaussian with class-dependent means on the first
60 / 40 / 30 features of the three modalities (signal 0.9 / 0.5 / 0.4). Usage: make_brca_like.py OUT_DIR"""
import os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
random.seed(7)
n_tr, n_te = 612, 263
priors = [0.10, 0.52, 0.19, 0.09, 0.10]
dims, informative, signal = [1000, 1000, 503], [60, 40, 30], [0.9, 0.5, 0.4]

def draw_labels(n):
    labels = []
    for _ in range(n):
        r, acc, c = random.random(), 0.0, len(priors) - 1
        for k, p in enumerate(priors):
            acc += p
            if r < acc:
                c = k
                break
        labels.append(c)
    return labels

y_tr, y_te = draw_labels(n_tr), draw_labels(n_te)
centroids = [[[random.gauss(0, 1) for _ in range(informative[m])] for _ in priors] for m in range(3)]

def write(m, labels, path):
    with open(path, "w") as f:
        for y in labels:
            row = []
            for j in range(dims[m]):
                v = random.gauss(0, 1)
                if j < informative[m]:
                    v += signal[m] * centroids[m][y][j]
                row.append(f"{v:.4f}")
            f.write(",".join(row) + "\n")

for m in range(3):
    write(m, y_tr, os.path.join(out, f"{m + 1}_tr.csv"))
    write(m, y_te, os.path.join(out, f"{m + 1}_te.csv"))
with open(os.path.join(out, "labels_tr.csv"), "w") as f:
    f.write("\n".join(map(str, y_tr)) + "\n")
with open(os.path.join(out, "labels_te.csv"), "w") as f:
    f.write("\n".join(map(str, y_te)) + "\n")
