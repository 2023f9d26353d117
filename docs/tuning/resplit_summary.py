#!/usr/bin/env python3
"""Summarise `bmm compare` runs over repeated random splits (docs/results.md, "Beyond the fixed split").

Usage: python3 docs/tuning/resplit_summary.py OUT_ROOT
Reads OUT_ROOT/split_<s>/compare.json (one per split, as written by `bmm compare --data /tmp/resplit/split_<s>`),
prints per variant the mean +- standard deviation over splits of accuracy, macro-F1 and AUC, and for every variant
the paired difference to the late fusion and to the full method (mean +- standard error over splits, and on how many
splits it is ahead / level / behind in macro-F1). Standard library only.
"""
import glob
import json
import math
import os
import sys

root = sys.argv[1]
runs = {}
for path in sorted(glob.glob(os.path.join(root, "split_*", "compare.json"))):
    split = int(os.path.basename(os.path.dirname(path)).split("_")[1])
    runs[split] = {row["Variant"]: row for row in json.load(open(path))}
splits = sorted(runs)
variants = [v for v in runs[splits[0]] if all(v in runs[s] for s in splits)]


def stats(values):
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, sd


print(f"{len(splits)} splits: {splits}")
print("| variant | accuracy | macro-F1 | AUC | macro-F1 minus late fusion (mean +- s.e.; ahead / level / behind) | macro-F1 minus full method |")
print("| --- | --- | --- | --- | --- | --- |")
for v in variants:
    cells = []
    for key in ("Accuracy", "MacroF1", "Auc"):
        mean, sd = stats([runs[s][v][key] for s in splits])
        cells.append(f"{mean:.3f} ± {sd:.3f}")
    for reference in ("LR late fusion", "full"):
        diffs = [runs[s][v]["MacroF1"] - runs[s][reference]["MacroF1"] for s in splits]
        mean, sd = stats(diffs)
        ahead = sum(d > 1e-9 for d in diffs)
        behind = sum(d < -1e-9 for d in diffs)
        cells.append(f"{mean:+.3f} ± {sd / math.sqrt(len(diffs)):.3f} ({ahead} / {len(diffs) - ahead - behind} / {behind})")
    print(f"| {v} | " + " | ".join(cells) + " |")
