"""Writes numpy arrays as a MOGONET-format folder ({m}_tr.csv, {m}_te.csv, {m}_featname.csv, labels_tr.csv,
labels_te.csv); shared by the numpy-based synthetic generators of docs/tuning (make_wide_like.py, make_lgg_like.py,
make_latent_like.py). Needs numpy."""
import os
import numpy as np


def write_modality(out, m, x, train):
    """Modality m (1-based) with features x (n, d); train is a boolean mask of the training rows."""
    np.savetxt(os.path.join(out, f'{m}_tr.csv'), x[train], delimiter=',', fmt='%.5f')
    np.savetxt(os.path.join(out, f'{m}_te.csv'), x[~train], delimiter=',', fmt='%.5f')
    with open(os.path.join(out, f'{m}_featname.csv'), 'w') as f:
        f.write('\n'.join(f'f{m}_{j}' for j in range(x.shape[1])) + '\n')


def write_labels(out, y, train):
    """Integer labels y (n,), split by the training mask."""
    np.savetxt(os.path.join(out, 'labels_tr.csv'), y[train], fmt='%d')
    np.savetxt(os.path.join(out, 'labels_te.csv'), y[~train], fmt='%d')
