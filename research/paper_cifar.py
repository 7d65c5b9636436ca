#!/usr/bin/env python3
"""RG Lab reference experiment in real PyTorch: plain vs random-gradient (RG) training on CIFAR-10.

Standalone (PyTorch + NumPy only; no torchvision). Reads CIFAR-10 in the official binary format
(data_batch_*.bin, test_batch.bin: records of 1 label byte + 3072 bytes of R, G, B planes).

Per seed, three arms are trained from the SAME initial weights (one PyTorch-default init, copied)
on the SAME batches and augmentation:
  plain          SGD lr, momentum M, weight decay 5e-4, batch 128
  rg             the same, but each step the loss is multiplied by r ~ U[0,1) (own seeded stream)
  plain-lr<x>    plain at lr x E[r] = lr / 2 (the matched-mean-step control)
for every momentum given, and for every seed given.

Implementation: by default all K = arms x seeds x momenta copies of one architecture are trained
at once as ONE network whose convolutions are grouped (groups=K), whose batch norms run over the
K x C channels and whose last layer is a batched matmul. The groups never mix, so each copy sees
exactly the forward pass, gradient and (per-copy lr / momentum) SGD update it would see alone;
`--check N` verifies this against N steps of K separate nn.Modules with torch.optim.SGD, and
`--impl loop` trains with the separate modules instead (slower, obviously correct).

Records (JSON lines, the lab's format plus `model` and `momentum` keys):
  {"type":"eval","model":..,"momentum":..,"arm":..,"seed":..,"epoch":..,"step":..,"metrics":{"accuracy":..,"loss":..}}
  {"type":"train", ... "loss": mean true loss over the epoch, "weightedLoss": mean of r x loss}
  {"type":"diverged", ...}, {"type":"summary", ...} per run, {"type":"table", ...} per arm.

Dry run on CPU:  python3 research/paper_cifar.py --data .refdata --epochs 1 --limit 512
"""
from __future__ import annotations

import argparse
import copy
import glob
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10


# ----------------------------------------------------------------------------- data

def read_bin(paths: list[str]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for p in paths:
        raw = np.fromfile(p, dtype=np.uint8)
        if raw.size % 3073:
            raise SystemExit(f"{p}: size {raw.size} is not a multiple of 3073")
        raw = raw.reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(xs), np.concatenate(ys)


def load_cifar(folder: str, limit: int | None):
    train_paths = sorted(glob.glob(os.path.join(folder, "data_batch_*.bin")))
    test_path = os.path.join(folder, "test_batch.bin")
    if not train_paths or not os.path.exists(test_path):
        raise SystemExit(f"{folder}: needs data_batch_*.bin and test_batch.bin")
    xtr, ytr = read_bin(train_paths)
    xte, yte = read_bin([test_path])
    if limit:
        xtr, ytr, xte, yte = xtr[:limit], ytr[:limit], xte[:limit], yte[:limit]
    return xtr, ytr, xte, yte


class GpuData:
    """Train/test tensors on the device; per-channel normalisation with train-split statistics;
    random crop 32 (zero padding 4 of the raw image, as torchvision does) + horizontal flip per batch,
    done with one gather on the device."""

    def __init__(self, xtr, ytr, xte, yte, device):
        xtr_f = torch.from_numpy(xtr).float().div_(255)
        mean = xtr_f.mean(dim=(0, 2, 3))
        std = xtr_f.std(dim=(0, 2, 3))
        self.mean, self.std = mean.tolist(), std.tolist()
        m, s = mean.view(1, 3, 1, 1), std.view(1, 3, 1, 1)
        xtr_n = (xtr_f - m) / s
        # padding a raw 0 pixel = (0 - mean) / std after normalisation
        self.train_padded = torch.empty(xtr_n.shape[0], 3, 40, 40)
        self.train_padded[:] = (-m / s)
        self.train_padded[:, :, 4:36, 4:36] = xtr_n
        self.train_padded = self.train_padded.to(device).contiguous()
        self.ytr = torch.from_numpy(ytr).to(device)
        self.xte = ((torch.from_numpy(xte).float().div_(255) - m) / s).to(device).contiguous()
        self.yte = torch.from_numpy(yte).to(device)
        self.n_train = self.ytr.shape[0]
        self.device = device
        self.ar32 = torch.arange(32, device=device)

    def epoch_batches(self, gen: torch.Generator, batch: int):
        """Yields (x, y) for one epoch of one seed's stream: shuffled, augmented, last batch partial."""
        perm = torch.randperm(self.n_train, generator=gen, device=self.device)
        for i in range(0, self.n_train, batch):
            idx = perm[i:i + batch]
            b = idx.shape[0]
            dy = torch.randint(0, 9, (b,), generator=gen, device=self.device)
            dx = torch.randint(0, 9, (b,), generator=gen, device=self.device)
            flip = torch.rand(b, generator=gen, device=self.device) < 0.5
            rows = dy[:, None] + self.ar32[None, :]                                   # (b, 32)
            cols = torch.where(flip[:, None], dx[:, None] + 31 - self.ar32[None, :],
                               dx[:, None] + self.ar32[None, :])                       # (b, 32)
            x = self.train_padded[idx[:, None, None, None],
                                  torch.arange(3, device=self.device)[None, :, None, None],
                                  rows[:, None, :, None], cols[:, None, None, :]]
            yield x, self.ytr[idx]


# ----------------------------------------------------------------------------- reference models
# PyTorch-default init (Conv2d / Linear: U(+-1/sqrt(fan_in)) for weight and bias; BN weight 1, bias 0).
# Padding k // 2 (symmetric), as the lab's engine does.

class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = ConvBN(cin, cout, 3, stride)
        self.b = ConvBN(cout, cout, 3, 1)
        self.shortcut = ConvBN(cin, cout, 1, stride) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        y = self.b(F.relu(self.a(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet20(nn.Module):
    """CIFAR ResNet-20 (He et al. 2016): 3 stages x 3 basic blocks, 16/32/64 channels, BN,
    1x1 conv + BN projection shortcuts where the shape changes."""

    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
        self.stem = ConvBN(3, 16, 3)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        h = self.blocks(F.relu(self.stem(x)))
        return self.fc(h.mean(dim=(2, 3)))


class Cnn(nn.Module):
    """The `cnn` of docs/reference.md (Models): conv3x3 16, conv3x3 32 /2, conv3x3 64 /2 (ReLU, 'same'), GAP, dense."""

    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, 1, 1)
        self.c2 = nn.Conv2d(16, 32, 3, 2, 1)
        self.c3 = nn.Conv2d(32, 64, 3, 2, 1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        h = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        return self.fc(h.mean(dim=(2, 3)))


REF_MODELS = {"resnet20": ResNet20, "cnn": Cnn}


# ----------------------------------------------------------------------------- grouped (K copies in one net)
# Same attribute names as the reference models, so parameter `name` of copy k is
# grouped[name].reshape(K, -1)[k] == ref_k[name].flatten().

class GConv(nn.Module):
    def __init__(self, K, cin, cout, k, stride=1, bias=True):
        super().__init__()
        self.K, self.stride, self.pad = K, stride, k // 2
        self.weight = nn.Parameter(torch.empty(K * cout, cin, k, k))
        self.bias = nn.Parameter(torch.empty(K * cout)) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.pad, 1, self.K)


class GConvBN(nn.Module):
    def __init__(self, K, cin, cout, k, stride=1):
        super().__init__()
        self.conv = GConv(K, cin, cout, k, stride, bias=False)
        self.bn = nn.BatchNorm2d(K * cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class GLinear(nn.Module):
    def __init__(self, K, cin, cout):
        super().__init__()
        self.K, self.cin = K, cin
        self.weight = nn.Parameter(torch.empty(K, cout, cin))
        self.bias = nn.Parameter(torch.empty(K, cout))

    def forward(self, h):  # h: (B, K * cin) -> (B, K, cout)
        h = h.view(h.shape[0], self.K, self.cin)
        return torch.einsum("bki,koi->bko", h, self.weight) + self.bias


class GBlock(nn.Module):
    def __init__(self, K, cin, cout, stride):
        super().__init__()
        self.a = GConvBN(K, cin, cout, 3, stride)
        self.b = GConvBN(K, cout, cout, 3, 1)
        self.shortcut = GConvBN(K, cin, cout, 1, stride) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        y = self.b(F.relu(self.a(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class GResNet20(nn.Module):
    def __init__(self, K, num_classes=NUM_CLASSES):
        super().__init__()
        self.stem = GConvBN(K, 3, 16, 3)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(GBlock(K, cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = GLinear(K, 64, num_classes)

    def forward(self, x):
        h = self.blocks(F.relu(self.stem(x)))
        return self.fc(h.mean(dim=(2, 3)))


class GCnn(nn.Module):
    def __init__(self, K, num_classes=NUM_CLASSES):
        super().__init__()
        self.c1 = GConv(K, 3, 16, 3, 1)
        self.c2 = GConv(K, 16, 32, 3, 2)
        self.c3 = GConv(K, 32, 64, 3, 2)
        self.fc = GLinear(K, 64, num_classes)

    def forward(self, x):
        h = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        return self.fc(h.mean(dim=(2, 3)))


G_MODELS = {"resnet20": GResNet20, "cnn": GCnn}


def float_state(module: nn.Module) -> dict[str, torch.Tensor]:
    """Parameters and float buffers (not num_batches_tracked), by name."""
    d = {n: p for n, p in module.named_parameters()}
    d.update({n: b for n, b in module.named_buffers() if b.is_floating_point()})
    return d


@torch.no_grad()
def load_grouped(g: nn.Module, refs: list[nn.Module]):
    K = len(refs)
    gs = float_state(g)
    rs = [float_state(r) for r in refs]
    assert set(gs) == set(rs[0]), (sorted(gs), sorted(rs[0]))
    for name, t in gs.items():
        t.copy_(torch.stack([r[name].detach().flatten() for r in rs]).reshape(t.shape))


def copy_k(g: nn.Module, k: int, K: int) -> dict[str, torch.Tensor]:
    return {n: t.detach().reshape(K, -1)[k] for n, t in float_state(g).items()}


# ----------------------------------------------------------------------------- trainers

class GroupedTrainer:
    """K copies as one grouped network; SGD (dampening 0, no Nesterov, weight decay added to the
    gradient, buf = m * buf + d, p -= lr * buf: torch.optim.SGD's update) with per-copy lr, momentum."""

    def __init__(self, model_name, refs, lrs, moms, wd, device, dtype=torch.float32):
        K = len(refs)
        self.K = K
        self.net = G_MODELS[model_name](K).to(device, dtype)
        load_grouped(self.net, [r.to(device, dtype) for r in refs])
        self.params = [p for p in self.net.parameters()]
        lr_t = torch.tensor(lrs, dtype=dtype, device=device)
        m_t = torch.tensor(moms, dtype=dtype, device=device)
        self.neg_lr = [(-lr_t).view(K, 1).expand(K, p.numel() // K).reshape(p.shape).contiguous() for p in self.params]
        self.mom = [m_t.view(K, 1).expand(K, p.numel() // K).reshape(p.shape).contiguous() for p in self.params]
        self.bufs = None
        self.wd = wd

    def train_step(self, x_k, y_k, w):
        """x_k: (K, B, 3, 32, 32), y_k: (K, B), w: (K,) loss weights. Returns per-copy true losses (K,)."""
        K, B = y_k.shape
        self.net.train()
        x = x_k.transpose(0, 1).reshape(B, K * 3, 32, 32)
        logits = self.net(x)                                           # (B, K, C)
        ce = F.cross_entropy(logits.reshape(B * K, -1), y_k.t().reshape(B * K), reduction="none")
        ce = ce.view(B, K).mean(0)                                     # (K,)
        for p in self.params:
            p.grad = None
        (ce * w).sum().backward()
        with torch.no_grad():
            grads = [p.grad for p in self.params]
            d = torch._foreach_add(grads, self.params, alpha=self.wd) if self.wd else grads
            if self.bufs is None:
                self.bufs = [t.clone() for t in d]
            else:
                torch._foreach_mul_(self.bufs, self.mom)
                torch._foreach_add_(self.bufs, d)
            torch._foreach_addcmul_(self.params, self.bufs, self.neg_lr)
        return ce.detach()

    @torch.no_grad()
    def evaluate(self, x_all, y_all, chunk=500):
        """Returns (sum of losses (K,), correct counts (K,))."""
        self.net.eval()
        K = self.K
        loss_sum = torch.zeros(K, device=x_all.device, dtype=x_all.dtype)
        correct = torch.zeros(K, device=x_all.device, dtype=x_all.dtype)
        for i in range(0, x_all.shape[0], chunk):
            x, y = x_all[i:i + chunk], y_all[i:i + chunk]
            logits = self.net(x.repeat(1, K, 1, 1))                    # (b, K, C)
            b = y.shape[0]
            yk = y[:, None].expand(b, K)
            loss_sum += F.cross_entropy(logits.reshape(b * K, -1), yk.reshape(-1), reduction="none").view(b, K).sum(0)
            correct += (logits.argmax(-1) == yk).float().sum(0)
        return loss_sum, correct

    @torch.no_grad()
    def reset_copy(self, k):
        """Zeroes copy k (after divergence) so that it stays finite; it is no longer reported."""
        for t in list(float_state(self.net).values()) + (self.bufs or []):
            t.view(self.K, -1)[k].zero_()
        for m in self.net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_var.view(self.K, -1)[k].fill_(1.0)

    def copy_state(self, k):
        return copy_k(self.net, k, self.K)

    def finite(self):
        ok = torch.ones(self.K, dtype=torch.bool, device=self.params[0].device)
        for t in float_state(self.net).values():
            ok &= torch.isfinite(t.detach().reshape(self.K, -1)).all(1)
        return ok


class LoopTrainer:
    """K separate nn.Modules with torch.optim.SGD each: the plain reference."""

    def __init__(self, model_name, refs, lrs, moms, wd, device, dtype=torch.float32):
        self.K = len(refs)
        self.nets = [r.to(device, dtype) for r in refs]
        self.opts = [torch.optim.SGD(n.parameters(), lr=lr, momentum=m, weight_decay=wd)
                     for n, lr, m in zip(self.nets, lrs, moms)]

    def train_step(self, x_k, y_k, w):
        out = []
        for k, (net, opt) in enumerate(zip(self.nets, self.opts)):
            net.train()
            opt.zero_grad(set_to_none=True)
            ce = F.cross_entropy(net(x_k[k]), y_k[k])
            (ce * w[k]).backward()
            opt.step()
            out.append(ce.detach())
        return torch.stack(out)

    @torch.no_grad()
    def evaluate(self, x_all, y_all, chunk=500):
        ls, cs = [], []
        for net in self.nets:
            net.eval()
            l = c = 0.0
            for i in range(0, x_all.shape[0], chunk):
                logits = net(x_all[i:i + chunk])
                l = l + F.cross_entropy(logits, y_all[i:i + chunk], reduction="sum")
                c = c + (logits.argmax(-1) == y_all[i:i + chunk]).float().sum()
            ls.append(l)
            cs.append(c)
        return torch.stack(ls), torch.stack(cs)

    @torch.no_grad()
    def reset_copy(self, k):
        for t in float_state(self.nets[k]).values():
            t.zero_()
        for m in self.nets[k].modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_var.fill_(1.0)
        self.opts[k].state.clear()

    def copy_state(self, k):
        return {n: t.detach().flatten() for n, t in float_state(self.nets[k]).items()}

    def finite(self):
        return torch.tensor([all(bool(torch.isfinite(t).all()) for t in float_state(n).values()) for n in self.nets])


TRAINERS = {"grouped": GroupedTrainer, "loop": LoopTrainer}


# ----------------------------------------------------------------------------- experiment

def arm_specs(lr):
    return [("plain", lr, False), ("rg", lr, True), (f"plain-lr{lr * 0.5:g}", lr * 0.5, False)]


def layout(model_name, momenta, seeds, lr):
    """The K copies of one architecture: (momentum, seed, arm) triples and their settings."""
    copies = []
    for m in momenta:
        for si, s in enumerate(seeds):
            for arm, arm_lr, rg in arm_specs(lr):
                copies.append(dict(model=model_name, momentum=m, seed=s, seed_idx=si, arm=arm, lr=arm_lr, rg=rg))
    return copies


def init_refs(model_name, copies, seeds):
    """One PyTorch-default init per seed (torch.manual_seed(seed)), deep-copied to every arm and momentum."""
    base = {}
    for s in seeds:
        torch.manual_seed(s)
        base[s] = REF_MODELS[model_name]()
    return [copy.deepcopy(base[c["seed"]]) for c in copies]


class Group:
    """Everything for one architecture: K copies, per-seed data streams and per-seed RG streams."""

    def __init__(self, args, model_name, data, device, impl, dtype=torch.float32):
        self.name = model_name
        self.copies = layout(model_name, args.momentum, args.seeds, args.lr)
        self.K = len(self.copies)
        refs = init_refs(model_name, self.copies, args.seeds)
        self.trainer = TRAINERS[impl](model_name, refs, [c["lr"] for c in self.copies],
                                      [c["momentum"] for c in self.copies], args.weight_decay, device, dtype)
        self.data = data
        self.device = device
        self.batch = args.batch
        self.seed_idx = torch.tensor([c["seed_idx"] for c in self.copies], device=device)
        self.is_rg = torch.tensor([c["rg"] for c in self.copies], device=device)
        self.alive = torch.ones(self.K, dtype=torch.bool, device=device)
        # data stream per seed (same stream for every arm and momentum of that seed)
        self.data_gens = []
        for s in args.seeds:
            g = torch.Generator(device=device)
            g.manual_seed(1000 + s)
            self.data_gens.append(g)
        # RG weight stream per seed, on the CPU (same r sequence for every momentum of that seed)
        self.rg_gens = []
        for s in args.seeds:
            g = torch.Generator()
            g.manual_seed(2000 + s)
            self.rg_gens.append(g)
        self.steps_per_epoch = math.ceil(data.n_train / args.batch)
        self.step = 0

    def train_epoch(self):
        S = len(self.data_gens)
        # r for every (step, seed) of this epoch, drawn up front from each seed's own stream
        r = torch.stack([torch.rand(self.steps_per_epoch, generator=g) for g in self.rg_gens], 1).to(self.device)
        streams = [self.data.epoch_batches(g, self.batch) for g in self.data_gens]
        losses = torch.zeros(self.steps_per_epoch, self.K, device=self.device)
        weights = torch.zeros(self.steps_per_epoch, self.K, device=self.device)
        for i in range(self.steps_per_epoch):
            batches = [next(st) for st in streams]
            xs = torch.stack([b[0] for b in batches])                  # (S, B, 3, 32, 32)
            ys = torch.stack([b[1] for b in batches])                  # (S, B)
            w = torch.where(self.is_rg, r[i][self.seed_idx], torch.ones_like(r[i][self.seed_idx]))
            w = w * self.alive
            ce = self.trainer.train_step(xs[self.seed_idx], ys[self.seed_idx], w)
            losses[i] = ce
            weights[i] = w
            self.step += 1
        assert S == len(streams)
        return losses, weights

    def evaluate(self):
        loss_sum, correct = self.trainer.evaluate(self.data.xte, self.data.yte)
        n = self.data.yte.shape[0]
        return (loss_sum / n), (correct / n)


def fmt_pm(vals, digits=1, scale=100.0):
    vals = [v for v in vals if v is not None and not math.isnan(v)]
    if not vals:
        return "n/a"
    a = np.asarray(vals) * scale
    sd = a.std(ddof=1) if len(a) > 1 else 0.0
    return f"{a.mean():.{digits}f} ± {sd:.{digits}f}"


def summarize(curves, diverged, seeds, momenta, models, lr, epochs_done):
    """curves[(model, momentum, arm, seed)] = list of accuracies per epoch (1..E).
    Returns (table rows as dicts, markdown text)."""
    rows = []
    md = []
    for model in models:
        for m in momenta:
            arms = [a for a, _, _ in arm_specs(lr)]
            mean_curve = {a: np.mean([curves[(model, m, a, s)] for s in seeds], axis=0) for a in arms}
            plain_best = float(np.max(mean_curve["plain"]))
            thr = {60: 0.6 * plain_best, 80: 0.8 * plain_best}
            md.append(f"\n### {model}, momentum {m:g} (lr {lr:g}, {epochs_done} epochs, seeds {', '.join(map(str, seeds))})\n")
            md.append(f"Thresholds: 60% / 80% of plain's best seed-mean accuracy ({100 * plain_best:.1f}%) = "
                      f"{100 * thr[60]:.1f}% / {100 * thr[80]:.1f}%.\n")
            md.append("| arm | final acc % | best acc % | final − plain (paired) | best − plain (paired) | "
                      "epochs to 60% (mean curve; per seed) | epochs to 80% (mean curve; per seed) | diverged |")
            md.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
            for a in arms:
                finals = [curves[(model, m, a, s)][-1] for s in seeds]
                bests = [max(curves[(model, m, a, s)]) for s in seeds]
                dfin = [curves[(model, m, a, s)][-1] - curves[(model, m, "plain", s)][-1] for s in seeds]
                dbest = [max(curves[(model, m, a, s)]) - max(curves[(model, m, "plain", s)]) for s in seeds]
                reach = {}
                for pct, t in thr.items():
                    hit = np.nonzero(mean_curve[a] >= t)[0]
                    e_mean = int(hit[0]) + 1 if hit.size else None
                    per_seed = []
                    for s in seeds:
                        h = np.nonzero(np.asarray(curves[(model, m, a, s)]) >= t)[0]
                        per_seed.append(int(h[0]) + 1 if h.size else None)
                    reach[pct] = (e_mean, per_seed)
                ndiv = sum(1 for s in seeds if (model, m, a, s) in diverged)
                row = dict(type="table", model=model, momentum=m, arm=a, seeds=seeds, epochs=epochs_done,
                           final=finals, best=bests, finalMinusPlain=dfin, bestMinusPlain=dbest,
                           plainBestMean=plain_best,
                           epochsTo60=reach[60][0], epochsTo60PerSeed=reach[60][1],
                           epochsTo80=reach[80][0], epochsTo80PerSeed=reach[80][1], diverged=ndiv)
                rows.append(row)

                def ps(v):
                    return "/".join("–" if e is None else str(e) for e in v)
                md.append(f"| {a} | {fmt_pm(finals)} | {fmt_pm(bests)} | "
                          f"{'—' if a == 'plain' else fmt_pm(dfin, digits=1)} | "
                          f"{'—' if a == 'plain' else fmt_pm(dbest, digits=1)} | "
                          f"{reach[60][0] if reach[60][0] else 'not reached'} ({ps(reach[60][1])}) | "
                          f"{reach[80][0] if reach[80][0] else 'not reached'} ({ps(reach[80][1])}) | {ndiv}/{len(seeds)} |")
    return rows, "\n".join(md) + "\n"


def run_check(args, data, device, steps):
    """Grouped vs separate modules from the same init, on the same batches, for `steps` steps, in
    float64: the two must then agree to rounding (in float32 they agree only to ~1e-3 after a step,
    because batch norm over a small batch amplifies rounding differences - equally in both, as the
    float64 numbers show)."""
    d64 = copy.copy(data)
    d64.train_padded = data.train_padded.double()
    d64.xte = data.xte.double()
    worst = 0.0
    for model_name in args.model:
        res = {}
        for impl in ("grouped", "loop"):
            g = Group(args, model_name, d64, device, impl, torch.float64)
            streams = [d64.epoch_batches(gen, args.batch) for gen in g.data_gens]
            r = torch.stack([torch.rand(steps, generator=gen) for gen in g.rg_gens], 1).to(device, torch.float64)
            for i in range(steps):
                batches = [next(st) for st in streams]
                xs = torch.stack([b[0] for b in batches])
                ys = torch.stack([b[1] for b in batches])
                w = torch.where(g.is_rg, r[i][g.seed_idx], torch.ones_like(r[i][g.seed_idx]))
                g.trainer.train_step(xs[g.seed_idx], ys[g.seed_idx], w)
            loss, acc = g.evaluate()
            res[impl] = (g, loss, acc)
        gg, gl = res["grouped"][0], res["loop"][0]
        pdiff = 0.0
        for k in range(gg.K):
            a, b = gg.trainer.copy_state(k), gl.trainer.copy_state(k)
            for n in a:
                scale = max(1.0, float(b[n].abs().max()))
                pdiff = max(pdiff, float((a[n] - b[n]).abs().max()) / scale)
        # the copies of one seed start identical, so after training plain and the other arms must differ
        spread = float((gg.trainer.copy_state(0)["fc.weight"] - gg.trainer.copy_state(1)["fc.weight"]).abs().max())
        ldiff = float((res["grouped"][1] - res["loop"][1]).abs().max())
        adiff = float((res["grouped"][2] - res["loop"][2]).abs().max())
        print(json.dumps(dict(type="check", model=model_name, steps=steps, copies=gg.K, dtype="float64",
                              maxParamDiff=pdiff, maxEvalLossDiff=ldiff, maxEvalAccDiff=adiff,
                              plainVsRgFcDiff=spread)), flush=True)
        worst = max(worst, pdiff, ldiff)
    return worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with data_batch_*.bin and test_batch.bin")
    ap.add_argument("--model", nargs="+", action="extend", choices=sorted(REF_MODELS), default=None)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--momentum", nargs="+", type=float, action="extend", default=None)
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N train and N test images")
    ap.add_argument("--out", default=None, help="JSONL file for the records")
    ap.add_argument("--summary", default=None, help="markdown file for the summary tables")
    ap.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    ap.add_argument("--impl", choices=sorted(TRAINERS), default="grouped")
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="first verify grouped == separate modules over N steps in float64 "
                         "(a mismatch is a warning, or exit 1 with --check-only)")
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="do not echo the records to stdout (they still go to --out)")
    ap.add_argument("--time-budget", type=float, default=None,
                    help="seconds: stop at the end of the epoch after which the next would not fit (all arms alike)")
    args = ap.parse_args(argv)
    args.model = args.model or ["resnet20", "cnn"]
    args.momentum = args.momentum or [0.5]
    t_start = time.time()

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True   # algorithm choice only; fp32 math (cuDNN's default TF32 convs)
    xtr, ytr, xte, yte = load_cifar(args.data, args.limit)
    data = GpuData(xtr, ytr, xte, yte, device)

    out = open(args.out, "w") if args.out else None

    def emit(rec):
        line = json.dumps(rec)
        if not args.quiet:
            print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()

    info = dict(type="config", torch=torch.__version__, device=str(device),
                gpu=torch.cuda.get_device_name(0) if device.type == "cuda" else None,
                models=args.model, momenta=args.momentum, seeds=args.seeds, lr=args.lr,
                weightDecay=args.weight_decay, batch=args.batch, epochs=args.epochs,
                nTrain=data.n_train, nTest=int(data.yte.shape[0]), impl=args.impl,
                trainMean=data.mean, trainStd=data.std,
                arms=[dict(name=a, lr=l, rg=("uniform 0..1" if rg else "off")) for a, l, rg in arm_specs(args.lr)])
    emit(info)

    if args.check:
        worst = run_check(args, data, device, args.check)
        tol = 1e-9
        emit(dict(type="checkResult", worst=worst, tolerance=tol, ok=worst < tol))
        if worst >= tol:
            print(f"WARNING: grouped and separate training differ by {worst:g}", file=sys.stderr)
        if args.check_only:
            return 0 if worst < tol else 1

    groups = [Group(args, name, data, device, args.impl) for name in args.model]
    curves = {}          # (model, momentum, arm, seed) -> [acc per epoch]
    diverged = {}
    epochs_done = 0
    t_train = time.time()
    epoch_times = []
    for epoch in range(1, args.epochs + 1):
        t_ep = time.time()
        for g in groups:
            losses, weights = g.train_epoch()
            finite_steps = torch.isfinite(losses).cpu()                   # (steps, K)
            finite = finite_steps.all(0) & g.trainer.finite().cpu()
            vloss, vacc = g.evaluate()
            mean_loss = losses.mean(0).cpu().tolist()
            mean_wloss = (losses * weights).mean(0).cpu().tolist()
            vloss, vacc = vloss.cpu().tolist(), vacc.cpu().tolist()
            for k, c in enumerate(g.copies):
                key = (c["model"], c["momentum"], c["arm"], c["seed"])
                base = dict(model=c["model"], momentum=c["momentum"], arm=c["arm"], seed=c["seed"])
                if key in diverged:
                    curves[key].append(curves[key][-1])   # stays at its last value (chance after reset)
                    continue
                if not finite[k]:
                    diverged[key] = epoch
                    bad = torch.nonzero(~finite_steps[:, k])
                    step = g.step - g.steps_per_epoch + int(bad[0]) + 1 if bad.numel() else g.step
                    emit(dict(type="diverged", **base, step=step, epoch=epoch,
                              reason="loss is not finite" if bad.numel() else "weights are not finite"))
                    g.trainer.reset_copy(k)
                    g.alive[k] = False
                    curves.setdefault(key, []).append(1.0 / NUM_CLASSES)
                    continue
                emit(dict(type="train", **base, step=g.step, epoch=epoch, loss=mean_loss[k], weightedLoss=mean_wloss[k]))
                emit(dict(type="eval", **base, step=g.step, epoch=epoch, metrics=dict(accuracy=vacc[k], loss=vloss[k])))
                curves.setdefault(key, []).append(vacc[k])
        epochs_done = epoch
        dt = time.time() - t_ep
        epoch_times.append(dt)
        msg = f"[epoch {epoch}/{args.epochs}] {dt:.2f}s (total {time.time() - t_start:.1f}s)"
        for g in groups:
            for m in args.momentum:
                accs = {a: np.mean([curves[(g.name, m, a, s)][-1] for s in args.seeds]) for a, _, _ in arm_specs(args.lr)}
                msg += f" | {g.name} m{m:g}: " + " ".join(f"{a}={100 * v:.1f}" for a, v in accs.items())
        print(msg, file=sys.stderr, flush=True)
        if args.time_budget is not None and epoch < args.epochs:
            next_ep = max(epoch_times[-3:])
            if time.time() - t_start + next_ep * 1.1 > args.time_budget:
                print(f"time budget: stopping after epoch {epoch}", file=sys.stderr, flush=True)
                break

    train_s = time.time() - t_train
    for g in groups:
        for c in g.copies:
            key = (c["model"], c["momentum"], c["arm"], c["seed"])
            acc = curves[key]
            emit(dict(type="summary", model=c["model"], momentum=c["momentum"], arm=c["arm"], seed=c["seed"],
                      steps=g.step, epochs=epochs_done, final=dict(accuracy=acc[-1]), best=dict(accuracy=max(acc)),
                      diverged=diverged.get(key)))
    rows, md = summarize(curves, diverged, args.seeds, args.momentum, args.model, args.lr, epochs_done)
    for r in rows:
        emit(r)
    emit(dict(type="timing", epochs=epochs_done, trainSeconds=train_s, totalSeconds=time.time() - t_start,
              secondsPerEpoch=train_s / max(epochs_done, 1)))
    header = (f"Train {data.n_train} / test {int(data.yte.shape[0])} images; {epochs_done} epochs; batch {args.batch}; "
              f"SGD lr {args.lr:g}, weight decay {args.weight_decay:g}; device {info['gpu'] or device}; "
              f"torch {torch.__version__}; training {train_s:.1f}s.\n"
              "Accuracies in %, mean ± sample std over seeds; paired differences are per seed.\n")
    print("\n" + header + md, flush=True)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(header + md)
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
