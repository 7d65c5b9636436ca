"""An exported train.py (its whole main()) trained on recorded random draws instead of its own.

usage: python3 train_on_draws.py TRAIN_PY DRAWS_JSON PARTS -- TRAIN_PY_ARGS...

TRAIN_PY is exported for a `cnn` classification config with crop + flip; DRAWS_JSON holds the
lab's draws for one seed (src/testing/labDraws.ts: initial weights in PyTorch's layout, epoch
orders, crops). The run trains that seed only.
PARTS says which draws replace train.py's: a comma list of init, orders, augment (or all);
the rest stay train.py's own. So a seed's final accuracy can be had with the lab's initial
weights, sample order or crops one at a time, to see which of them a difference follows.
"""
import importlib.util
import json
import sys

import torch


def main(train_py, streams_file, parts, rest):
    spec = importlib.util.spec_from_file_location("train", train_py)
    tr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tr)
    with open(streams_file) as f:
        s = json.load(f)
    parts = {"init", "orders", "augment"} if parts == "all" else set(parts.split(","))
    tr.CONFIG["seeds"] = [s["seed"]]
    if "init" in parts:
        build = tr.build_nets

        def build_nets(model, num_classes, size, seed, channels=3):
            nets = build(model, num_classes, size, seed, channels)
            flat = torch.tensor(s["init"], dtype=torch.float32)
            at = 0
            with torch.no_grad():
                for p in nets[0].parameters():
                    p.copy_(flat[at:at + p.numel()].view_as(p))
                    at += p.numel()
            assert at == flat.numel(), (at, flat.numel())
            return nets
        tr.build_nets = build_nets
    if "orders" in parts:
        def indices(self, seed, t):
            epoch, k = divmod(t, self.steps_per_epoch)
            return torch.tensor(s["orders"][epoch][k * self.batch:(k + 1) * self.batch])
        tr.Batcher.indices = indices
    if "augment" in parts:
        crop = tr.Batcher.crop_and_flip

        def crop_and_flip(self, x, g):
            t = self.replay_step
            self.replay_step += 1
            draws = torch.tensor(s["augment"][t])
            # torch.randint gives the offsets and torch.rand the flips inside crop_and_flip.
            real_randint, real_rand = torch.randint, torch.rand
            torch.randint = lambda *a, **k: draws[:, :2].clone()
            torch.rand = lambda *a, **k: torch.where(draws[:, 2] == 1, 0.25, 0.75)
            try:
                return crop(self, x, g)
            finally:
                torch.randint, torch.rand = real_randint, real_rand
        tr.Batcher.crop_and_flip = crop_and_flip
        tr.Batcher.replay_step = 0
    return tr.main(rest)


if __name__ == "__main__":
    sep = sys.argv.index("--")
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[sep + 1:]))
