#!/usr/bin/env python3
"""Summarise `bmm compare --resplit` runs (docs/results.md, "Beyond the fixed split").

Usage: python3 docs/tuning/resplit_summary.py COMPARE.json [COMPARE.json ...]
Each file is a compare.json written by `bmm compare --resplit --seeds ...`; a row's Seed is its random split (rows of
several files are pooled, e.g. two processes with the even and the odd seeds). Prints per variant the mean +- standard
deviation over splits of accuracy, macro-F1 and AUC, and the paired difference in macro-F1 and in AUC to the LR late
fusion (mean +- standard error over splits, and on how many splits the variant is ahead / level / behind), and the
same paired differences of every other pipeline variant to the full method (AUC "n/a" with more than two classes).
Standard library only.
"""
import json
import math
import sys

runs = {}
for path in sys.argv[1:]:
    for row in json.load(open(path)):
        runs.setdefault(row["Seed"], {})[row["Variant"]] = row
splits = sorted(runs)
variants = [v for v in runs[splits[0]] if all(v in runs[s] for s in splits)]


def stats(values):
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, sd


def paired(v, key, reference="LR late fusion"):
    if any(runs[s][v][key] is None or runs[s][reference][key] is None for s in splits):
        return "n/a"
    diffs = [runs[s][v][key] - runs[s][reference][key] for s in splits]
    mean, sd = stats(diffs)
    ahead, behind = sum(d > 1e-9 for d in diffs), sum(d < -1e-9 for d in diffs)
    return f"{mean:+.3f} ± {sd / math.sqrt(len(diffs)):.3f} ({ahead} / {len(diffs) - ahead - behind} / {behind})"


print(f"{len(splits)} splits (seeds {splits[0]}-{splits[-1]})")
print("| variant | accuracy | macro-F1 | AUC | macro-F1 minus late fusion | AUC minus late fusion |")
print("| --- | --- | --- | --- | --- | --- |")
for v in variants:
    cells = ["n/a" if any(runs[s][v][k] is None for s in splits) else "{:.3f} ± {:.3f}".format(*stats([runs[s][v][k] for s in splits]))
             for k in ("Accuracy", "MacroF1", "Auc")]
    cells += [paired(v, "MacroF1"), paired(v, "Auc")]
    print(f"| {v} | " + " | ".join(cells) + " |")
for v in ("full", "LR late fusion"):
    f1 = sorted(runs[s][v]["MacroF1"] for s in splits)
    print(f"{v}: macro-F1 range {f1[0]:.3f}-{f1[-1]:.3f}; seconds {min(runs[s][v]['Seconds'] for s in splits):.0f}-{max(runs[s][v]['Seconds'] for s in splits):.0f}")
others = [v for v in variants if v != "full" and not v.startswith(("LR ", "MLP ", "early fusion"))]
if "full" in variants and others:
    print("| pipeline variant | macro-F1 minus full method | AUC minus full method |")
    print("| --- | --- | --- |")
    for v in others:
        print(f"| {v} | {paired(v, 'MacroF1', 'full')} | {paired(v, 'Auc', 'full')} |")
