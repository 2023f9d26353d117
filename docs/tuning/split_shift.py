#!/usr/bin/env python3
"""How the ROSMAP test split differs from the training split's cross-validation (docs/results.md, eighth session).

Usage: /usr/bin/python3 docs/tuning/split_shift.py samples/data/ROSMAP
Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn). Diagnostic only; nothing here chooses a
setting. Two measurements:
1. Per modality and for the late fusion (logistic regression on standardised features, C = 0.1, probabilities
   averaged, the issue's baseline): the 5-fold stratified cross-validated macro-F1 / AUC on the 245 training rows
   (mean over 5 fold seeds) next to the test macro-F1 / AUC of the same model fitted on all training rows. If the
   test split were drawn like a cross-validation fold, the two columns would agree up to noise (one fold of 49 rows
   has a standard error of about 0.06, the 106 test rows about 0.04).
2. Adversarial validation (no label read): a logistic regression (same settings) that tries to tell test rows from
   training rows from all 600 features, 5-fold cross-validated AUC over 5 seeds; 0.5 means the split looks random.
"""
import sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

root = sys.argv[1]
load = lambda name: np.loadtxt(f"{root}/{name}", delimiter=",")
xtr = [load(f"{m}_tr.csv") for m in (1, 2, 3)]
xte = [load(f"{m}_te.csv") for m in (1, 2, 3)]
ytr, yte = load("labels_tr.csv").astype(int), load("labels_te.csv").astype(int)
names = ["mRNA (1)", "methylation (2)", "miRNA (3)"]


def fit_predict(xs_fit, y, xs_new):
    probabilities = []
    for a, b in zip(xs_fit, xs_new):
        scaler = StandardScaler().fit(a)
        model = LogisticRegression(C=0.1, max_iter=5000).fit(scaler.transform(a), y)
        probabilities.append(model.predict_proba(scaler.transform(b))[:, 1])
    return probabilities


def scores(y, p):
    return f1_score(y, (p >= 0.5).astype(int), average="macro"), roc_auc_score(y, p)


cv = {k: [] for k in range(4)}
for seed in range(5):
    oof = np.zeros((4, len(ytr)))
    for fit, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(xtr[0], ytr):
        ps = fit_predict([x[fit] for x in xtr], ytr[fit], [x[held] for x in xtr])
        for m in range(3):
            oof[m, held] = ps[m]
        oof[3, held] = np.mean(ps, axis=0)
    for k in range(4):
        cv[k].append(scores(ytr, oof[k]))
test = fit_predict(xtr, ytr, xte)
test.append(np.mean(test, axis=0))
print("model | CV macro-F1 (training split) | test macro-F1 | CV AUC | test AUC")
for k, name in enumerate(names + ["late fusion"]):
    f, a = np.mean(cv[k], axis=0)
    tf, ta = scores(yte, test[k])
    print(f"{name} | {f:.3f} | {tf:.3f} | {a:.3f} | {ta:.3f}")

x_all = np.hstack([np.vstack([a, b]) for a, b in zip(xtr, xte)])
is_test = np.r_[np.zeros(len(ytr), int), np.ones(len(yte), int)]
aucs = []
for seed in range(5):
    p = np.zeros(len(is_test))
    for fit, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x_all, is_test):
        scaler = StandardScaler().fit(x_all[fit])
        model = LogisticRegression(C=0.1, max_iter=5000).fit(scaler.transform(x_all[fit]), is_test[fit])
        p[held] = model.predict_proba(scaler.transform(x_all[held]))[:, 1]
    aucs.append(roc_auc_score(is_test, p))
print(f"adversarial validation (test vs training rows, all 600 features): AUC {np.mean(aucs):.3f} +- {np.std(aucs):.3f}")
