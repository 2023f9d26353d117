#!/usr/bin/env python3
"""Writes MOGONET-format folders (1_tr.csv ... labels_te.csv, headerless) from three *real* datasets bundled with
scikit-learn, split into views, for a generalisation check of the defaults on real data the defaults were never
chosen on (apt-get update && apt-get install python3-sklearn). Usage: make_sklearn_views.py OUT_DIR

OUT_DIR/breast_cancer: Wisconsin diagnostic breast cancer (569 fine-needle aspirates, 212 malignant / 357 benign,
  UCI, CC BY 4.0). Its 30 features are ten nucleus measurements (radius, texture, perimeter, area, smoothness,
  compactness, concavity, concave points, symmetry, fractal dimension) summarised three ways over the nuclei of an
  image; the three summaries are the views: 1 = mean (10), 2 = standard error (10), 3 = worst (10). The standard
  error view is the weak one.
OUT_DIR/digits: UCI optical handwritten digits (1797 8 x 8 images, 10 classes, CC BY 4.0), with views derived from
  the same images the way the UCI "multiple features" set derives its views: 1 = the 64 pixel intensities,
  2 = 16 projection profiles (row and column sums), 3 = 7 shape moments (ink, centroid, second central moments,
  the two halves' ink balance), a weak view.
OUT_DIR/wine: UCI wine recognition (178 wines from three cultivars, 59 / 71 / 48, CC BY 4.0), 13 chemical analyses
  grouped by what they measure: 1 = phenolic compounds (total phenols, flavanoids, non-flavanoid phenols,
  proanthocyanins, OD280/OD315 of diluted wines; 5), 2 = colour (colour intensity, hue; 2), 3 = the other chemistry
  (alcohol, malic acid, ash, its alkalinity, magnesium, proline; 6). Small n, three classes: the omics sample-size
  regime (nineteenth session).
The split written here (30 % test, stratified, seed 0) is only the folder's own split; the check itself uses
`bmm compare --resplit`, which draws a new stratified split of all rows for every seed with the same test fraction."""
import os, sys
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split

def write(folder, views, y):
    os.makedirs(folder, exist_ok=True)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.3, stratify=y, random_state=0)
    for v, x in enumerate(views, start=1):
        for name, rows in (("tr", tr), ("te", te)):
            np.savetxt(os.path.join(folder, f"{v}_{name}.csv"), x[rows], delimiter=",", fmt="%.10g")
    for name, rows in (("tr", tr), ("te", te)):
        np.savetxt(os.path.join(folder, f"labels_{name}.csv"), y[rows], fmt="%d")

out = sys.argv[1]
bc = load_breast_cancer()
x = bc.data
write(os.path.join(out, "breast_cancer"), [x[:, 0:10], x[:, 10:20], x[:, 20:30]], bc.target)

dg = load_digits()
img = dg.images  # n x 8 x 8, values 0..16
pix = img.reshape(len(img), 64)
profiles = np.hstack([img.sum(axis=2), img.sum(axis=1)])
ii, jj = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
ink = img.sum(axis=(1, 2))
cy = (img * ii).sum(axis=(1, 2)) / ink
cx = (img * jj).sum(axis=(1, 2)) / ink
dy = ii[None] - cy[:, None, None]; dx = jj[None] - cx[:, None, None]
myy = (img * dy * dy).sum(axis=(1, 2)) / ink
mxx = (img * dx * dx).sum(axis=(1, 2)) / ink
mxy = (img * dx * dy).sum(axis=(1, 2)) / ink
balance = img[:, :4, :].sum(axis=(1, 2)) / ink
moments = np.column_stack([ink, cy, cx, myy, mxx, mxy, balance])
write(os.path.join(out, "digits"), [pix, profiles, moments], dg.target)

wn = load_wine()
w = wn.data  # columns in wn.feature_names order
write(os.path.join(out, "wine"), [w[:, [5, 6, 7, 8, 11]], w[:, [9, 10]], w[:, [0, 1, 2, 3, 4, 12]]], wn.target)
