#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder whose strongest modality separates the classes only nonlinearly, to show
where the pipeline's default linear encoders lose (docs/results.md, twelfth session). 600 samples (420 / 180 split),
2 balanced classes, 3 modalities of 10 / 100 / 100 features. Modality 1: features 1-2 are a noisy XOR of the class
(class 1 where sign(x1) != sign(x2), |x| drawn from 0.5 + Exp(1), noise s.d. 0.3), the rest pure noise; no linear
function of it predicts the class. Modalities 2 and 3: Gaussian with class-dependent means (shift 0.2 / 0.15 on the
first 15 features), weaker but linear. Usage: make_nonlinear_like.py OUT_DIR"""
import os, random, sys
out = sys.argv[1]; os.makedirs(out, exist_ok=True); random.seed(23)
n_tr, n_te = 420, 180
dims = [10, 100, 100]

def labels(n):
    y = [0] * (n // 2) + [1] * (n - n // 2); random.shuffle(y); return y

def row(m, y):
    if m == 0:
        s1 = random.choice([-1, 1]); s2 = s1 if y == 0 else -s1
        head = [s * (0.5 + random.expovariate(1.0)) + random.gauss(0, 0.3) for s in (s1, s2)]
        return head + [random.gauss(0, 1) for _ in range(dims[0] - 2)]
    shift = 0.2 if m == 1 else 0.15
    return [random.gauss(0, 1) + (shift * (1 if y else -1) if j < 15 else 0) for j in range(dims[m])]

y_tr, y_te = labels(n_tr), labels(n_te)
for m in range(len(dims)):
    for part, ys in (("tr", y_tr), ("te", y_te)):
        with open(os.path.join(out, f"{m + 1}_{part}.csv"), "w") as f:
            for y in ys: f.write(",".join(f"{v:.4f}" for v in row(m, y)) + "\n")
for part, ys in (("tr", y_tr), ("te", y_te)):
    open(os.path.join(out, f"labels_{part}.csv"), "w").write("\n".join(map(str, ys)) + "\n")
