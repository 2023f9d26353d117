#!/usr/bin/env python3
"""Offline comparison of head-pooling rules on nested validation (eighteenth session, docs/results.md).

Input: the JSON lines written by the experiment switch BMM_EXP_DUMP=FILE (patch 21) during
`bmm compare --variants full --outer-folds 5 --seeds ...`: for every fold model its validation rows and every head's
log-probabilities on all rows, and per pipeline run its test (outer held-out) rows and labels. The fold models'
checkpoints were chosen with the default pooling; a rule here only changes how each fold model's heads are pooled
(and, as in the pipeline, which encoder slope the run keeps: the alternative slope only when its out-of-fold
macro-F1 under the same rule is higher by more than 0.01). Score = macro-F1 (and, with two classes, AUC) over all labelled rows per seed (each
predicted by the run that held it out), mean over seeds, as `compare --outer-folds` reports it.
Usage: pooling_rules.py DUMP.jsonl RUNS_PER_SEED [RULES [SELECTION]]   (RUNS_PER_SEED = outer folds x 2 slopes, e.g.
10; RULES comma-separated; SELECTION f1margin (default), evidence2, evidence1 or average (both runs averaged), the encoder-selection rule). Rule evidence_nostudent (twenty-first session) needs dumps of patch 23 (the students
of each fold's distillation plan). numpy only.
"""
import json, sys
import numpy as np

def load(path):
    runs, folds = [], []
    for line in open(path):
        d = json.loads(line)
        if d["kind"] == "fold":
            folds.append(d)
        else:
            n, C = len(d["labels"]), d["classes"]
            fs = []
            for f in folds:
                H = len(f["logp"])
                fs.append(dict(val=np.array(f["validation"]), w=np.array(f["weights"]),
                               logp=np.array(f["logp"]).reshape(H, n, C), students=f.get("students", [])))
            runs.append(dict(slope=d["slope"], test=np.array(d["test"]), y=np.array(d["labels"]), C=C, folds=fs))
            folds = []
    return runs

def softmax(s):
    s = s - s.max(axis=-1, keepdims=True); e = np.exp(s); return e / e.sum(axis=-1, keepdims=True)

def macro_f1(y, p, C):
    f = []
    for c in range(C):
        tp = np.sum((p == c) & (y == c)); fp = np.sum((p == c) & (y != c)); fn = np.sum((p != c) & (y == c))
        f.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f))

def auc(y, score):
    """Binary ROC AUC (Mann-Whitney, ties counted half)."""
    pos, neg = score[y == 1], score[y == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return greater / (len(pos) * len(neg))

def ce_rows(logp, rows, y):  # per-head per-row cross-entropy, (H, r)
    return -logp[:, rows, y[rows]]

def gain_weights(logp, rows, y, C, lam):
    ce = ce_rows(logp, rows, y).mean(axis=1)
    g = np.maximum(0, np.log(C) - ce)
    if g.sum() <= 0: return np.full(len(g), 1 / len(g))
    return lam / len(g) + (1 - lam) * g / g.sum()

def evidence_factor(logp, rows, y):
    """exp(-d_h / se_h): d_h = how far head h's mean validation cross-entropy is behind the best head's, se_h the
    standard error of that per-row difference (1 for the best head)."""
    ce = ce_rows(logp, rows, y)
    best = np.argmin(ce.mean(axis=1))
    diff = ce - ce[best]
    d = diff.mean(axis=1)
    se = diff.std(axis=1, ddof=1) / np.sqrt(len(rows))
    z = np.where(se > 0, d / np.maximum(se, 1e-12), 0.0)
    return np.exp(-np.maximum(z, 0)), z

def fit_stack(logps, ys):
    """Non-negative v minimising the mean log-loss of softmax(sum_h v_h logp_h); logps (H, r, C)."""
    H = logps.shape[0]; v = np.full(H, 1.0 / H)
    def loss(v):
        p = softmax(np.tensordot(v, logps, 1)); return -np.mean(np.log(p[np.arange(len(ys)), ys] + 1e-300)), p
    f, p = loss(v); step = 1.0
    for _ in range(2000):
        onehot = np.zeros_like(p); onehot[np.arange(len(ys)), ys] = 1
        g = np.einsum("hrc,rc->h", logps, p - onehot) / len(ys)
        while True:
            t = np.maximum(0, v - step * g); ft, pt = loss(t)
            if ft <= f - 1e-4 * g @ (v - t) or step < 1e-12: break
            step /= 2
        moved = np.abs(t - v).max(); v, f, p = t, ft, pt; step *= 2
        if moved < 1e-10: break
    return v

def log_softmax(s):
    s = s - s.max(axis=-1, keepdims=True); return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))

def calibrated(lp, rows, y):
    """Per-head temperature scaling (nineteenth session): a_h minimising the mean cross-entropy of softmax(a_h z_h) on
    the rows, golden-section search on log a in [log 1/20, log 20]; returns log_softmax(a_h z_h) for every head."""
    out = np.empty_like(lp)
    for h in range(lp.shape[0]):
        def ce(t): return -log_softmax(np.exp(t) * lp[h, rows])[np.arange(len(rows)), y[rows]].mean()
        lo, hi = np.log(1 / 20), np.log(20); g = (np.sqrt(5) - 1) / 2
        c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        for _ in range(60):
            if ce(c) < ce(d): hi = d
            else: lo = c
            c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        out[h] = log_softmax(np.exp((lo + hi) / 2) * lp[h])
    return out

def run_predictions(run, rule):
    y, C, folds = run["y"], run["C"], run["folds"]
    n = len(y)
    weights, pooled = [], []
    if rule in ("stack", "stack_half"):
        counts = np.zeros(n); acc = np.zeros_like(folds[0]["logp"])
        for f in folds: acc[:, f["val"]] += f["logp"][:, f["val"]]; counts[f["val"]] += 1
        rows = np.where(counts > 0)[0]
        v = fit_stack(acc[:, rows] / counts[rows][None, :, None], y[rows])
    for f in folds:
        lp, val = f["logp"], f["val"]
        if rule == "calibrated_evidence": lp = calibrated(lp, val, y)
        H = lp.shape[0]
        if rule == "default": w = gain_weights(lp, val, y, C, 0.5)
        elif rule == "dumped": w = f["w"]
        elif rule == "unshrunk": w = gain_weights(lp, val, y, C, 0.0)
        elif rule == "equal": w = np.full(H, 1 / H)
        elif rule == "fused": w = np.eye(H)[0]
        elif rule == "stack": w = v
        elif rule == "stack_half": w = 0.5 * v / v.sum() + 0.5 * gain_weights(lp, val, y, C, 0.5)
        elif rule in ("evidence", "calibrated_evidence"): w = evidence_factor(lp, val, y)[0]
        elif rule == "evidence_nostudent":   # twenty-first session: distillation students' heads (patch 23 dumps) out
            w = evidence_factor(lp, val, y)[0] * np.array([0.0 if h - 1 in f["students"] else 1.0 for h in range(H)])
        elif rule == "default_x_evidence": w = gain_weights(lp, val, y, C, 0.5) * evidence_factor(lp, val, y)[0]
        elif rule.startswith("prune"):   # prune2: heads more than 2 standard errors behind the best get 0
            k = float(rule[5:]); z = evidence_factor(lp, val, y)[1]
            w = gain_weights(lp, val, y, C, 0.5) * (z <= k)
        else: raise ValueError(rule)
        w = np.asarray(w, dtype=float); w = w / w.sum()
        weights.append(w); pooled.append(lp)
    probs = [softmax(np.tensordot(w, lp, 1)) for w, lp in zip(weights, pooled)]
    test = np.mean(probs, axis=0)
    oof = np.zeros((n, C)); cnt = np.zeros(n)
    for p, f in zip(probs, folds): oof[f["val"]] += p[f["val"]]; cnt[f["val"]] += 1
    rows = np.where(cnt > 0)[0]
    oof_p = oof[rows] / cnt[rows][:, None]
    oof_f1 = macro_f1(y[rows], oof_p.argmax(1), C)
    oof_ce = -np.log(np.maximum(oof_p[np.arange(len(rows)), y[rows]], 1e-12))
    return test, (oof_f1, rows, oof_ce), np.mean(weights, axis=0)

def keep_alternative(fa, fb, selection):
    """The pipeline's encoder selection between the primary (linear) run a and the alternative (nonlinear) run b:
    'f1margin' (the default: b's out-of-fold macro-F1 higher by more than 0.01) or 'evidence2' (nineteenth session:
    b's out-of-fold per-row cross-entropy lower by more than two standard errors of the paired difference) or
    'evidence1' (twentieth session: the same at one standard error)."""
    if selection == "f1margin": return fb[0] > fa[0] + 0.01
    assert np.array_equal(fa[1], fb[1])
    d = fa[2] - fb[2]
    standard_errors = {"evidence2": 2.0, "evidence1": 1.0}[selection]   # evidence1: twentieth session
    return d.mean() > standard_errors * d.std(ddof=1) / np.sqrt(len(d))

def evaluate(runs, per_seed, rule, selection="f1margin"):
    scores, aucs, wsum, alternatives = [], [], [], []
    for s in range(len(runs) // per_seed):
        ys, ps, qs, kept = [], [], [], []
        for o in range(per_seed // 2):
            a, b = runs[s * per_seed + 2 * o], runs[s * per_seed + 2 * o + 1]
            ta, fa, wa = run_predictions(a, rule); tb, fb, wb = run_predictions(b, rule)
            if selection == "average":   # twentieth session: no choice, both runs' test probabilities averaged
                keep, t, w = a, (ta + tb) / 2, (wa + wb) / 2
                assert np.array_equal(a["test"], b["test"])
            else:
                keep, t, w = (b, tb, wb) if keep_alternative(fa, fb, selection) else (a, ta, wa)
            kept.append(keep is b)
            ys.append(keep["y"][keep["test"]]); ps.append(t[keep["test"]].argmax(1)); wsum.append(w)
            qs.append(t[keep["test"]][:, -1])
        scores.append(macro_f1(np.concatenate(ys), np.concatenate(ps), runs[0]["C"]))
        aucs.append(auc(np.concatenate(ys), np.concatenate(qs)) if runs[0]["C"] == 2 else float("nan"))
        alternatives.append(sum(kept))
    return scores, aucs, np.mean(wsum, axis=0), alternatives

if __name__ == "__main__":
    runs = load(sys.argv[1]); per_seed = int(sys.argv[2])
    rules = sys.argv[3].split(",") if len(sys.argv) > 3 else ["dumped", "default", "unshrunk", "equal", "fused", "stack", "stack_half", "evidence", "default_x_evidence", "prune1", "prune2", "prune3"]
    selection = sys.argv[4] if len(sys.argv) > 4 else "f1margin"
    for rule in rules:
        sc, au, w, alt = evaluate(runs, per_seed, rule, selection)
        print(f"{rule:20s} {selection} nonlinear kept {alt} macro-F1 {np.mean(sc):.4f} ({' / '.join(f'{x:.3f}' for x in sc)})  AUC {np.mean(au):.4f}  mean weights {' '.join(f'{x:.2f}' for x in w)}")
