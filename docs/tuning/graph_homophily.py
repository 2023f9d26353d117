#!/usr/bin/env python3
"""Class agreement of ROSMAP's fused SNF graph, on the training labels only (docs/results.md, sixth session).

Usage: python3 docs/tuning/graph_homophily.py FUSED.csv LABELS_TR.csv [K]
  FUSED.csv: the fused network over all 351 samples, training rows first (e.g.
  tests/BalancedMultimodal.Graph.Tests/Fixtures/snf/rosmap_fused_K20_mu0.5_t20.csv, snfpy K = 20, mu = 0.5, t = 20);
  LABELS_TR.csv: samples/data/ROSMAP/labels_tr.csv. K: neighbours per row (default 10).
For each training row, its K strongest neighbours (self excluded) that are training rows are compared with its label.
Prints the edge homophily, the majority-vote accuracy and the same-class rate expected by chance (sum_c p_c^2).
Standard library only.
"""
import csv
import sys

fused = [list(map(float, r)) for r in csv.reader(open(sys.argv[1]))]
labels = [int(float(r[0])) for r in csv.reader(open(sys.argv[2]))]
k = int(sys.argv[3]) if len(sys.argv) > 3 else 10
n, train = len(fused), len(labels)
same = edges = correct = 0
for i in range(train):
    strongest = sorted((j for j in range(n) if j != i), key=lambda j: -fused[i][j])[:k]
    neighbours = [j for j in strongest if j < train]
    agree = sum(labels[j] == labels[i] for j in neighbours)
    same, edges = same + agree, edges + len(neighbours)
    correct += 2 * agree > len(neighbours)
chance = sum((labels.count(c) / train) ** 2 for c in set(labels))
print(f"edge homophily {same / edges:.3f} ({edges} edges), majority-vote accuracy {correct / train:.3f}, chance {chance:.3f}")
