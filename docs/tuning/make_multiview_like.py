#!/usr/bin/env python3
"""Writes a synthetic MOGONET-format folder shaped like the multi-view handwritten-digits set (2000 samples, 10
classes, 6 views of 76 / 216 / 64 / 240 / 47 / 6 features, 1400 / 600 split). Only the shape is that set's; the values
are Gaussian with class-dependent means on the first 20 / 40 / 15 / 40 / 10 / 6 features (signal 0.5 / 0.6 / 0.4 / 0.7
/ 0.3 / 0.6). A timing and robustness check (many views, many classes), not an accuracy benchmark: the late fusion
already scores 1.000 on it. Usage: make_multiview_like.py OUT_DIR"""
import os, random, sys
out=sys.argv[1]; os.makedirs(out, exist_ok=True); random.seed(11)
n_tr, n_te, C = 1400, 600, 10
dims=[76,216,64,240,47,6]; inf=[20,40,15,40,10,6]; sig=[0.5,0.6,0.4,0.7,0.3,0.6]
y_tr=[random.randrange(C) for _ in range(n_tr)]; y_te=[random.randrange(C) for _ in range(n_te)]
cent=[[[random.gauss(0,1) for _ in range(inf[m])] for _ in range(C)] for m in range(len(dims))]
def write(m, labels, path):
    with open(path,"w") as f:
        for y in labels:
            f.write(",".join(f"{random.gauss(0,1)+(sig[m]*cent[m][y][j] if j<inf[m] else 0):.4f}" for j in range(dims[m]))+"\n")
for m in range(len(dims)):
    write(m,y_tr,os.path.join(out,f"{m+1}_tr.csv")); write(m,y_te,os.path.join(out,f"{m+1}_te.csv"))
open(os.path.join(out,"labels_tr.csv"),"w").write("\n".join(map(str,y_tr))+"\n")
open(os.path.join(out,"labels_te.csv"),"w").write("\n".join(map(str,y_te))+"\n")
