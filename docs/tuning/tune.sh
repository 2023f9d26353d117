#!/bin/bash
# Usage (from the repository root, after dotnet build samples/BalancedMultimodal.Cli -c Release; BMM=path overrides the binary):
#   docs/tuning/tune.sh NAME docs/tuning/configs/NAME.json [SEEDS]
# Prints ONLY validation (out-of-fold) numbers from metrics.json, never a test metric. Configs are explicit about every
# setting that the issue-7 defaults changed (EncoderKind, MlpEncoder, CrossFitRepeats, Training.Prediction).
name=$1; config=$2; seeds=${3:-0 1 2}
bmm=${BMM:-samples/BalancedMultimodal.Cli/bin/Release/net10.0/linux-x64/bmm}
for s in $seeds; do
  out=out/tune/$name/s$s; mkdir -p out/tune/$name
  if [ ! -f $out/metrics.json ]; then
    OMP_NUM_THREADS=1 $bmm train --seed $s --out $out --config $config > $out.log 2>&1 || { echo "FAILED $name seed $s"; tail -3 $out.log; }
  fi
done
python3 - "$name" $seeds <<'PY'
import json,sys,statistics as st
name=sys.argv[1]; seeds=sys.argv[2:]
f1=[];auc=[];ll=[];sec=[]
for s in seeds:
    m=json.load(open(f"out/tune/{name}/s{s}/metrics.json"))
    f1.append(m["out_of_fold_macro_f1"]); auc.append(m["out_of_fold_auc"]); ll.append(m["out_of_fold_log_loss"]); sec.append(m["seconds"])
sd=lambda v: st.stdev(v) if len(v)>1 else 0
print(f"{name}: OOF macro-F1 {st.mean(f1):.4f} ± {sd(f1):.4f} {['%.3f'%x for x in f1]}  OOF AUC {st.mean(auc):.4f}  OOF log-loss {st.mean(ll):.4f}  {st.mean(sec):.0f} s/seed")
PY
