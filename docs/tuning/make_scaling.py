#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder shaped like ROSMAP at any sample count, for timing the whole pipeline
against n (docs/benchmarks.md, "Whole pipeline against n"). Three modalities of 200 features, two balanced classes,
70 % training / 30 % test rows; the first 20 / 12 / 8 features of each modality carry a class-dependent mean
(signal 0.13 / 0.12 / 0.10: one stronger and two weaker modalities; a Bayes accuracy of about 0.78 with all three,
ROSMAP's difficulty). Only the
shape is ROSMAP's. Pure Python, no packages. Usage: make_scaling.py OUT_DIR SAMPLES [SEED]"""
import os, random, sys

out, n = sys.argv[1], int(sys.argv[2])
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
os.makedirs(out, exist_ok=True)
n_tr = int(round(0.7 * n))
dims, informative, signal = [200, 200, 200], [20, 12, 8], [0.13, 0.12, 0.10]
labels = [i % 2 for i in range(n)]
random.shuffle(labels)
splits = {"tr": labels[:n_tr], "te": labels[n_tr:]}
for m in range(3):
    direction = [random.choice((-1.0, 1.0)) for _ in range(informative[m])]
    for split, ys in splits.items():
        with open(os.path.join(out, f"{m + 1}_{split}.csv"), "w") as f:
            for y in ys:
                row = [random.gauss(0, 1) for _ in range(dims[m])]
                for j in range(informative[m]):
                    row[j] += signal[m] * direction[j] * (1 if y == 1 else -1)
                f.write(",".join(f"{v:.6f}" for v in row) + "\n")
for split, ys in splits.items():
    with open(os.path.join(out, f"labels_{split}.csv"), "w") as f:
        f.write("\n".join(str(y) for y in ys) + "\n")
