"""Dumps what an exported train.py draws for one seed, so the lab can replay it exactly.

usage: python3 dump_streams.py TRAIN_PY SEED OUT_JSON

TRAIN_PY is a train.py exported for a `cnn` classification config (src/cli/parity.ts writes
one; so does `npm run export:pytorch`). The JSON holds, for that seed:
- init: the initial parameters as the uniforms u in [0, 1) the lab's ParamBuilder would have
  drawn to produce them (value = (2u - 1) / sqrt(fan_in)), in the lab's creation order and
  layout (conv HWIO, dense in x out);
- orders: each epoch's sample permutation;
- augment: per step, per image, [row offset, column offset, flip].
research/parity/replay.ts feeds these to the lab's runner in place of its own streams.
"""
import importlib.util
import json
import math
import sys

import torch


def main(train_py, seed, out):
    spec = importlib.util.spec_from_file_location("train", train_py)
    tr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tr)
    cfg = tr.CONFIG
    if cfg["model"] != "cnn" or cfg["task"] != "classify":
        raise SystemExit("dump_streams.py: only the cnn classifier is laid out here")
    net = tr.build_nets("cnn", 10, cfg["inputSize"], seed)[0]
    init = []
    for name in ("c1", "c2", "c3"):
        conv = getattr(net, name)
        w = conv.weight.detach().double()  # O I H W
        bound = 1 / math.sqrt(w.shape[1] * w.shape[2] * w.shape[3])
        init += ((w.permute(2, 3, 1, 0).reshape(-1) / bound + 1) / 2).tolist()
        init += ((conv.bias.detach().double() / bound + 1) / 2).tolist()
    w = net.fc.weight.detach().double()  # out x in
    bound = 1 / math.sqrt(w.shape[1])
    init += ((w.t().reshape(-1) / bound + 1) / 2).tolist()
    init += ((net.fc.bias.detach().double() / bound + 1) / 2).tolist()

    n = 5000 if "numTrain" not in cfg else cfg["numTrain"]
    batch = cfg["batchSize"]
    spe = n // batch
    epochs = cfg["epochs"]
    orders = [torch.randperm(n, generator=tr.stream(seed, "data", e)).tolist() for e in range(epochs)]
    p = tr.CROP_PADDING
    augment = []
    for t in range(epochs * spe):
        g = tr.stream(seed, "augment", t)
        offsets = torch.randint(0, 2 * p + 1, (batch, 2), generator=g)
        flip = torch.rand(batch, generator=g) < 0.5
        augment.append([[int(o[0]), int(o[1]), int(f)] for o, f in zip(offsets.tolist(), flip.tolist())])
    with open(out, "w") as f:
        json.dump({"seed": seed, "init": init, "orders": orders, "augment": augment}, f)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
