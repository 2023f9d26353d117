#!/usr/bin/env python3
"""Does rank-Gauss scaling help the logistic-regression late fusion on ROSMAP's training split? (docs/results.md, tenth session)

Usage: /usr/bin/python3 docs/tuning/rank_gauss_cv.py samples/data/ROSMAP
Needs numpy, scipy and scikit-learn (Debian: apt-get install python3-sklearn). Reads the training rows only (no test
file is opened): per-column skewness of each modality, then the issue's baseline (logistic regression per modality,
C = 0.1, probabilities averaged) cross-validated with 5 stratified folds for fold seeds 0-9, its features scaled by
(a) z-scoring or (b) QuantileTransformer(output_distribution="normal") followed by z-scoring, both fitted on each
fold's training part. Prints the mean CV macro-F1 / AUC per modality and for the late fusion.
"""
import sys
import warnings
import numpy as np
from scipy.stats import skew
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer, StandardScaler

warnings.filterwarnings("ignore", message="n_quantiles")  # 1000 quantiles capped at the ~196 fitting rows, as intended
root = sys.argv[1]
load = lambda name: np.loadtxt(f"{root}/{name}", delimiter=",")
xtr = [load(f"{m}_tr.csv") for m in (1, 2, 3)]
ytr = load("labels_tr.csv").astype(int)
for m, x in enumerate(xtr):
    s = np.abs(skew(x, axis=0))
    print(f"modality {m + 1}: median |skew| {np.median(s):.2f}, columns with |skew| > 1: {(s > 1).mean():.2f}")

scalers = {
    "z-scoring": lambda: StandardScaler(),
    "rank-Gauss + z-scoring": lambda: make_pipeline(QuantileTransformer(output_distribution="normal"), StandardScaler()),
}
for name, make in scalers.items():
    per_seed = []
    for seed in range(10):
        oof = np.zeros((4, len(ytr)))
        for fit, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(xtr[0], ytr):
            ps = []
            for x in xtr:
                scaler = make().fit(x[fit])
                model = LogisticRegression(C=0.1, max_iter=5000).fit(scaler.transform(x[fit]), ytr[fit])
                ps.append(model.predict_proba(scaler.transform(x[held]))[:, 1])
            for m in range(3):
                oof[m, held] = ps[m]
            oof[3, held] = np.mean(ps, axis=0)
        per_seed.append([(f1_score(ytr, (o >= 0.5).astype(int), average="macro"), roc_auc_score(ytr, o)) for o in oof])
    mean = np.mean(per_seed, axis=0)
    fusion = " ".join(f"{s[3][0]:.3f}" for s in per_seed)
    print(f"{name}: " + " | ".join(f"{label} {f:.3f} / {a:.3f}" for label, (f, a) in zip(["mRNA", "meth", "miRNA", "late fusion"], mean))
          + f"   (late-fusion macro-F1 per fold seed: {fusion})")
