"""Writes a copy of a MOGONET-format folder in which some samples lack one modality (twenty-second session: training
on incomplete samples). Pure Python, no packages.

Usage: make_incomplete.py SRC OUT [--fraction 0.3] [--seed 0] [--test] [--drop] [--independent] [--sparse-view M]

Every training row (and, with --test, every test row) is chosen with probability FRACTION; a chosen row loses one
modality, drawn uniformly (a line of NA fields in {m}_tr.csv / {m}_te.csv, the loaders' missing-row marker). With
--drop the chosen training rows are removed from every file instead (the "train on the complete samples only"
comparison: the same rows, seed for seed); --drop and --test do not combine. With --independent (twenty-third
session) every modality of a row is lost with probability FRACTION on its own (a row that would lose all of them keeps
one, drawn uniformly), so rows may lack several modalities and few may have all; it does not combine with --drop.
With --sparse-view M (twenty-third session) only view M (1-based) is removed, from each chosen row (probability
FRACTION), so that view is measured on about 1 - FRACTION of the samples (a sparsely measured layer); it does not
combine with --independent or --drop. Feature-name files are copied.
"""
import argparse
import os
import random
import shutil


def read(path):
    with open(path) as f:
        return f.read().splitlines()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('src')
    parser.add_argument('out')
    parser.add_argument('--fraction', type=float, default=0.3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--test', action='store_true')
    parser.add_argument('--drop', action='store_true')
    parser.add_argument('--independent', action='store_true')
    parser.add_argument('--sparse-view', type=int, default=None)
    a = parser.parse_args()
    if a.drop and a.test:
        parser.error('--drop and --test do not combine')
    if a.drop and a.independent:
        parser.error('--drop and --independent do not combine')
    if a.sparse_view is not None and (a.drop or a.independent):
        parser.error('--sparse-view combines with neither --drop nor --independent')
    modalities = 0
    while os.path.exists(os.path.join(a.src, f'{modalities + 1}_tr.csv')):
        modalities += 1
    if a.sparse_view is not None and not 1 <= a.sparse_view <= modalities:
        parser.error(f'--sparse-view must name a view 1..{modalities}')
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for split in ('tr', 'te'):
        lines = [read(os.path.join(a.src, f'{m}_{split}.csv')) for m in range(1, modalities + 1)]
        labels = read(os.path.join(a.src, f'labels_{split}.csv'))
        n = len(labels)
        lose = {}
        if split == 'tr' or a.test:
            for i in range(n):
                if a.independent:
                    lost = {m for m in range(modalities) if rng.random() < a.fraction}
                    if len(lost) == modalities:
                        lost.discard(rng.randrange(modalities))
                    if lost:
                        lose[i] = lost
                elif a.sparse_view is not None:
                    if rng.random() < a.fraction:
                        lose[i] = {a.sparse_view - 1}
                elif rng.random() < a.fraction:
                    lose[i] = {rng.randrange(modalities)}
        keep = [i for i in range(n) if not (a.drop and i in lose)]
        for m in range(modalities):
            out = []
            for i in keep:
                if not a.drop and m in lose.get(i, ()):
                    out.append(','.join(['NA'] * len(lines[m][i].split(','))))
                else:
                    out.append(lines[m][i])
            with open(os.path.join(a.out, f'{m + 1}_{split}.csv'), 'w') as f:
                f.write('\n'.join(out) + '\n')
        with open(os.path.join(a.out, f'labels_{split}.csv'), 'w') as f:
            f.write('\n'.join(labels[i] for i in keep) + '\n')
        print(f'{split}: {n} rows, {len(lose)} chosen, {"dropped" if a.drop else "lacking a modality"}, {n - len(lose)} complete')
    for m in range(1, modalities + 1):
        name = os.path.join(a.src, f'{m}_featname.csv')
        if os.path.exists(name):
            shutil.copy(name, a.out)


if __name__ == '__main__':
    main()
