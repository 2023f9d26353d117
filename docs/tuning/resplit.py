#!/usr/bin/env python3
"""Repeated random splits of ROSMAP (docs/results.md, "Beyond the fixed split"; eighth session).

Usage: /usr/bin/python3 docs/tuning/resplit.py samples/data/ROSMAP OUT_ROOT [SPLITS]
Pools MOGONET's 245 training and 106 test rows (351) and writes SPLITS (default 20) MOGONET-format folders
OUT_ROOT/split_<s>, each a stratified random split with the same sizes (245 training, 106 test rows; split seed s),
feature-name files copied. Nothing is chosen with these splits: they only repeat the evaluation of the fixed defaults
(`bmm compare --data OUT_ROOT/split_<s> --seeds 0 ...`). Needs numpy and scikit-learn (apt-get install python3-sklearn).
"""
import os
import shutil
import sys
import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit

root, out = sys.argv[1], sys.argv[2]
splits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
load = lambda name: np.loadtxt(f"{root}/{name}", delimiter=",")
x = [np.vstack([load(f"{m}_tr.csv"), load(f"{m}_te.csv")]) for m in (1, 2, 3)]
y = np.r_[load("labels_tr.csv"), load("labels_te.csv")].astype(int)
test_size = len(load("labels_te.csv"))
for s in range(splits):
    train, test = next(StratifiedShuffleSplit(1, test_size=test_size, random_state=s).split(x[0], y))
    folder = os.path.join(out, f"split_{s}")
    os.makedirs(folder, exist_ok=True)
    for m, xm in zip((1, 2, 3), x):
        np.savetxt(f"{folder}/{m}_tr.csv", xm[train], delimiter=",")
        np.savetxt(f"{folder}/{m}_te.csv", xm[test], delimiter=",")
        shutil.copy(f"{root}/{m}_featname.csv", folder)
    np.savetxt(f"{folder}/labels_tr.csv", y[train])
    np.savetxt(f"{folder}/labels_te.csv", y[test])
print(f"{splits} splits of {len(y)} rows ({len(y) - test_size} training, {test_size} test) under {out}")
