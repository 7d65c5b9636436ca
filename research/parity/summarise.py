"""Collects the same-draws experiments of research/parity/README.md into one JSON record.

usage: python3 summarise.py RUN_DIR OUT_JSON [LAB_PARITY_JSON ...]

RUN_DIR holds the JSON-lines records the runs wrote:
- lab-s1-e10.jsonl / torch-s1-e10.jsonl: the lab's runner on train.py's draws for seed 1
  (replay.ts) and train.py itself for seed 1;
- torchlab-all-sN.jsonl: train.py on the lab's draws for seed N (src/testing/train_on_draws.py);
- torch-sAtoB.jsonl: train.py on its own draws, seeds A to B;
- torchlab-PARTS-sN.jsonl with PARTS init, orders or augment: train.py with only that part of
  the lab's draws for seed N, the rest its own;
- labrunner-sN.jsonl: the lab's runner for seed N on its own draws (src/cli/train.ts).
LAB_PARITY_JSON: results of src/cli/parity.ts (their lab and PyTorch per-seed accuracies are added).
"""
import datetime
import glob
import json
import math
import os
import platform
import re
import sys


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def summaries(path):
    return {r["seed"]: r["final"] for r in records(path) if r["type"] == "summary"}


def stats(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"n": n, "mean": mean, "sd": sd}


def welch(a, b):
    """Difference of means a - b with its standard error and a normal 95% interval."""
    sa, sb = stats(a), stats(b)
    se = math.sqrt(sa["sd"] ** 2 / sa["n"] + sb["sd"] ** 2 / sb["n"])
    d = sa["mean"] - sb["mean"]
    return {"difference": d, "se": se, "ci95": [d - 1.96 * se, d + 1.96 * se]}


def epoch_losses(path, spe):
    steps = {r["step"]: r["loss"] for r in records(path) if r["type"] == "step"}
    n = max(steps) // spe
    return [sum(steps[t] for t in range(e * spe + 1, (e + 1) * spe + 1)) / spe for e in range(n)]


def draw_checks(run_dir):
    """The lab's draws (labstreams-sN-e10.json, dump_lab_streams.ts) against their distributions:
    per layer, the standard deviation of the initial values over their bound (uniform: 1/sqrt(3))
    and the spread of per-seed means against sqrt(1 / (3 n)); crop offsets and flips counted."""
    import numpy as np
    files = sorted(glob.glob(os.path.join(run_dir, "labstreams-s*-e10.json")))
    layers = [("c1.weight", 432, 27), ("c1.bias", 16, 27), ("c2.weight", 4608, 144), ("c2.bias", 32, 144),
              ("c3.weight", 18432, 288), ("c3.bias", 64, 288), ("fc.weight", 640, 64), ("fc.bias", 10, 64)]
    per = {name: [] for name, _, _ in layers}
    offsets, flips = np.zeros((2, 9), dtype=np.int64), np.zeros(2, dtype=np.int64)
    for path in files:
        with open(path) as f:
            d = json.load(f)
        v, at = np.array(d["init"]), 0
        for name, n, fan_in in layers:
            per[name].append(v[at:at + n] * math.sqrt(fan_in))
            at += n
        a = np.array(d["augment"])
        for k in range(2):
            offsets[k] += np.bincount(a[:, :, k].ravel(), minlength=9)
        flips += np.bincount(a[:, :, 2].ravel(), minlength=2)
    init = {}
    for name, n, _ in layers:
        xs = per[name]
        init[name] = {"sdOverBound": float(np.concatenate(xs).std()), "expected": 1 / math.sqrt(3),
                      "sdOfSeedMeans": float(np.std([x.mean() for x in xs], ddof=1)), "expectedSdOfSeedMeans": math.sqrt(1 / (3 * n))}
    return {"seeds": len(files), "init": init, "rowOffsets": offsets[0].tolist(), "columnOffsets": offsets[1].tolist(), "flips": flips.tolist()}


def main(run_dir, out, parity_files):
    lab_replay = os.path.join(run_dir, "lab-s1-e10.jsonl")
    torch_own = os.path.join(run_dir, "torch-s1-e10.jsonl")
    result = {
        "format": "rg-lab-parity-same-draws",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()}",
                    "python": platform.python_version()},
        "config": "src/cli/parity.ts parityConfig: cnn, SGD lr 0.1 momentum 0.5 weight decay 5e-4, batch 64, crop + flip, 10 epochs; CIFAR-10 subset 5,000 / 1,000",
    }
    if os.path.exists(lab_replay) and os.path.exists(torch_own):
        a, b = summaries(lab_replay)[1], summaries(torch_own)[1]
        result["labOnPytorchDraws"] = {
            "seed": 1, "backend": "wasm",
            "epochMeanLoss": {"lab": epoch_losses(lab_replay, 78), "pytorch": epoch_losses(torch_own, 78)},
            "final": {"lab": {"accuracy": a["accuracy"], "loss": a["loss"]}, "pytorch": {"accuracy": b["accuracy"], "loss": b["loss"]}},
        }
    on_lab = {}
    for path in glob.glob(os.path.join(run_dir, "torchlab-all-s*.jsonl")):
        for seed, final in summaries(path).items():
            on_lab[seed] = final["accuracy"]
    own = {}
    for path in glob.glob(os.path.join(run_dir, "torch-s*to*.jsonl")):
        for seed, final in summaries(path).items():
            own[seed] = final["accuracy"]
    seeds = sorted(set(on_lab) & set(own))
    if len(seeds) > 2:
        # Brown-Forsythe: a t-test on absolute deviations from each group's median (spread)
        def dev(v):
            m = sorted(v)[len(v) // 2] if len(v) % 2 else sum(sorted(v)[len(v) // 2 - 1:len(v) // 2 + 1]) / 2
            return [abs(x - m) for x in v]
        result["spreadTest"] = {"what": "Brown-Forsythe: difference of mean absolute deviations from the median (lab draws - PyTorch draws)",
                                **welch(dev([on_lab[s] for s in seeds]), dev([own[s] for s in seeds]))}
    result["pytorchOnLabDraws"] = {"seeds": seeds, "accuracy": [on_lab[s] for s in seeds], **stats([on_lab[s] for s in seeds])}
    result["pytorchOwnDraws"] = {"seeds": seeds, "accuracy": [own[s] for s in seeds], **stats([own[s] for s in seeds])}
    result["labDrawsMinusPytorchDraws"] = welch([on_lab[s] for s in seeds], [own[s] for s in seeds])
    if "spreadTest" in result:
        result["spreadTest"] = result.pop("spreadTest")
    parts = {}
    for part in ("init", "orders", "augment"):
        for path in glob.glob(os.path.join(run_dir, f"torchlab-{part}-s*.jsonl")):
            for seed, final in summaries(path).items():
                parts.setdefault(seed, {})[part] = final["accuracy"]
    result["pytorchOnOnePartOfLabDraws"] = [{"seed": s, "labDrawsAll": on_lab.get(s), "pytorchOwn": own.get(s), **parts[s]} for s in sorted(parts)]
    lab, torch_ = {}, {}
    for path in glob.glob(os.path.join(run_dir, "labrunner-s*.jsonl")):
        for seed, final in summaries(path).items():
            lab[seed] = final["accuracy"]
            torch_[seed] = own[seed]
    for path in parity_files:
        with open(path) as f:
            p = json.load(f)
        for s, v in zip(p["config"]["seeds"], p["lab"]["plain"]["perSeed"]):
            lab[s] = v
        for s, v in zip(p["config"]["seeds"], p["pytorch"]["plain"]["perSeed"]):
            torch_[s] = v
    if lab:
        ls = sorted(lab)
        result["labRunner"] = {"seeds": ls, "accuracy": [lab[s] for s in ls], **stats([lab[s] for s in ls]),
                               "pytorchOnLabDrawsSameSeeds": [on_lab.get(s) for s in ls],
                               "maxAbsLabVsPytorchOnLabDraws": max(abs(lab[s] - on_lab[s]) for s in ls if s in on_lab)}
        ts = sorted(torch_)
        result["pytorchRunner"] = {"seeds": ts, "accuracy": [torch_[s] for s in ts], **stats([torch_[s] for s in ts])}
        result["labRunnerMinusPytorchRunner"] = welch([lab[s] for s in ls], [torch_[s] for s in ts])
    result["labDrawChecks"] = draw_checks(run_dir)
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "config")}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
