#!/usr/bin/env python3
"""RG Lab experiment, exported to PyTorch: plain vs random-gradient (RG) training.

Written by RG Lab ("npm run export:pytorch", or "Export train.py" in the lab) from the
experiment config embedded below as CONFIG. It reproduces the lab's run in PyTorch: the same
architectures layer for layer with PyTorch's default initialisation (pix2pix: N(0, 0.02)), the
same torch.optim optimizer, learning-rate schedule (per step), RG weight schedule, losses and
augmentation, and the lab's pairing: per seed, every arm starts from the same initial weights and
sees the same batches, augmentation and RG draws, so the arms differ only in their settings.

Data (--data-root DIR; images are resized to inputSize once, when loaded):
  classify   builtin:* -> CIFAR-10 (cifar-10-batches-py or cifar-10-batches-bin under DIR;
             --download fetches it through torchvision); an archive -> DIR is the archive
             extracted: ImageFolder (train/<class>/*, test|val/<class>/*, or <class>/* with a
             seeded 80/20 split) or CIFAR-10/100 binary or python batches.
  segment    builtin:* -> Pascal VOC 2012 (VOCdevkit/VOC2012 under DIR; --download fetches it);
             an archive -> a VOC layout, or images/ + masks/ (index PNGs, optional classes.txt).
  translate  pix2pix pairs: DIR/train/*.jpg with A and B side by side, DIR/val/ or DIR/test/.

Usage:
  python3 train.py --data-root DATA [--out metrics.jsonl] [--device cuda|cpu]
  python3 train.py --smoke          # 2 steps per arm and seed on random tensors; no data, CPU is fine
  torchrun --nproc_per_node=4 train.py --data-root DATA    # DistributedDataParallel
  python3 train.py --count-params [MODEL ...]              # parameter counts, then exit

Output: JSON lines in the lab's record format on stdout or --out: a manifest first (config, seeds,
torch version, device, dataset name and a hash of the data as loaded, the RG Lab version that
wrote this file), then step, eval, diverged and summary records, each with "source": "pytorch";
the lab imports the file (experiments panel: import, or drop it on the page). One progress line
per evaluation goes to stderr. With torchrun the config's batchSize is the
global batch: each of the N processes takes batchSize / N samples of every batch, gradients are
averaged by DDP (batch norm is synchronised across GPUs with CUDA), and rank 0 evaluates and
writes the records. Exit codes: 0 done, 1 every run diverged, 2 bad arguments or data.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import pickle
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = json.loads(r'''
__RG_LAB_CONFIG__
''')
# The RG Lab version that wrote this file (the manifest record names it).
RG_LAB_VERSION = "__RG_LAB_VERSION__"

IGNORE_INDEX = 255
HIGHER_IS_BETTER = {"accuracy", "pixelAccuracy", "meanAccuracy", "mIoU", "fwIoU", "psnr", "ssim"}
CROP_PADDING = 4
AUX_LOSS_WEIGHT = 0.4
LAMBDA_L1 = 100.0
JITTER_SCALE = 286 / 256
DROPOUT_RATE = 0.5
MAX_GRAD_NORM = 1e6
FLUSH_EVERY = 50
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
SPLIT_NAMES = ("train", "test", "val", "validation")
EVAL_SPLITS = ("val", "test", "validation")


class UsageError(Exception):
    """Bad arguments or data: exit code 2 with a one-line reason."""


# ----------------------------------------------------------------------------- random streams

def stream(seed, purpose, *keys):
    """A generator for one purpose of one seed (initial weights, data order, augmentation, RG,
    dropout), so that drawing from one never moves another: turning RG on in one arm shifts
    nothing else. The lab uses sfc32 streams; these are torch's, with the same roles."""
    digest = hashlib.sha256(json.dumps([seed, purpose, *keys]).encode()).digest()
    g = torch.Generator()
    g.manual_seed(int.from_bytes(digest[:8], "little") & ((1 << 63) - 1))
    return g


# ----------------------------------------------------------------------------- schedules

def triangular(lo, hi, period, position):
    """lo at 0, hi at half a period, lo again after a whole period."""
    phase = (position / period) % 1.0
    return lo + (hi - lo) * (1 - abs(2 * phase - 1))


def position_in(unit, t, steps_per_epoch):
    return t if unit == "step" else t / steps_per_epoch


def learning_rate_at(arm, t, total, steps_per_epoch):
    """The lab's schedules (src/engine/schedules.ts) at optimizer step t (0 for the first)."""
    cfg, base = arm["lrSchedule"], arm["optimizer"]["lr"]
    kind = cfg["type"]
    if kind == "constant":
        lr = base
    elif kind == "step":
        lr = base * cfg["gamma"] ** sum(1 for m in cfg["milestones"] if m <= t)
    elif kind == "poly":
        lr = base * max(0.0, 1 - t / max(total, 1)) ** cfg["power"]
    elif kind == "cosine":
        min_lr = cfg.get("minLr", 0.0)
        lr = min_lr + (base - min_lr) * 0.5 * (1 + math.cos(math.pi * min(t, total) / max(total, 1)))
    elif kind == "cyclical":
        lr = triangular(cfg["min"], cfg["max"], cfg["period"], position_in(cfg["unit"], t, steps_per_epoch))
    else:
        raise UsageError(f"lrSchedule.type: {kind!r} is not known to this script")
    warm = cfg.get("warmupSteps", 0) or 0
    if warm > 0 and t < warm:
        lr *= (t + 1) / warm
    return lr


def rg_uniforms(seed, t):
    """The two uniforms of step t (probability, value): a function of (seed, step) alone, shared
    by every arm of the seed (common random numbers) and by every process under torchrun."""
    u = torch.rand(2, generator=stream(seed, "rg", t), dtype=torch.float64)
    return float(u[0]), float(u[1])


def rg_weight_at(rg, u1, u2, t, steps_per_epoch):
    """The RG loss weight (src/engine/rg.ts): the mode's weight on a fraction probability of
    the steps, 1 on the others, times scale."""
    mode = rg["mode"]
    w = 1.0
    if mode != "off" and u1 < rg["probability"]:
        if mode == "constant":
            w = rg["weight"]
        elif mode == "uniform":
            w = rg["low"] + (rg["high"] - rg["low"]) * u2
        elif mode == "cyclical":
            w = triangular(rg["min"], rg["max"], rg["period"], position_in(rg["unit"], t, steps_per_epoch))
        else:
            raise UsageError(f"rg.mode: {mode!r} is not known to this script")
    return rg["scale"] * w


# ----------------------------------------------------------------------------- models
# Classifiers and segmenters: PyTorch's default init (conv and linear U(+-1/sqrt(fan_in)), batch
# norm weight 1, bias 0), symmetric padding k // 2, as src/engine/models/ builds them.

def upsample(x, size):
    """Bilinear with aligned corners (the lab's choice, PSPNet's too); a no-op at that size."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=True)


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride=1, depthwise=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=cin if depthwise else 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = ConvBN(cin, cout, 3, stride)
        self.b = ConvBN(cout, cout, 3)
        self.shortcut = ConvBN(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.b(F.relu(self.a(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class Cnn(nn.Module):
    """conv 3x3 16, conv 3x3 32 /2, conv 3x3 64 /2 (ReLU), global average pool, linear."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.c1 = nn.Conv2d(channels, 16, 3, 1, 1)
        self.c2 = nn.Conv2d(16, 32, 3, 2, 1)
        self.c3 = nn.Conv2d(32, 64, 3, 2, 1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        h = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        return self.fc(h.mean(dim=(2, 3)))


class ResNet20(nn.Module):
    """CIFAR ResNet-20: 3 stages x 3 basic blocks (16/32/64), 1x1 conv + BN projection shortcuts."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.stem = ConvBN(channels, 16, 3)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        return self.fc(self.blocks(F.relu(self.stem(x))).mean(dim=(2, 3)))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, expansion, stride):
        super().__init__()
        hidden = cin * expansion
        self.expand = ConvBN(cin, hidden, 1) if expansion != 1 else None
        self.dw = ConvBN(hidden, hidden, 3, stride, depthwise=True)
        self.project = ConvBN(hidden, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = F.relu6(self.expand(x)) if self.expand is not None else x
        y = self.project(F.relu6(self.dw(y)))
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    """MobileNetV2, lite: (expansion, channels, repeats, first stride) 1/16/1/1, 4/24/2/1,
    4/32/2/2, 4/64/2/2 after a 32-channel stem; a 1x1 head to 256; ReLU6."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.stem = ConvBN(channels, 32, 3)
        blocks, cin = [], 32
        for t, c, n, s in ((1, 16, 1, 1), (4, 24, 2, 1), (4, 32, 2, 2), (4, 64, 2, 2)):
            for i in range(n):
                blocks.append(InvertedResidual(cin, c, t, s if i == 0 else 1))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = ConvBN(cin, 256, 1)
        self.fc = nn.Linear(256, num_classes)

    def forward(self, x):
        h = self.blocks(F.relu6(self.stem(x)))
        return self.fc(F.relu6(self.head(h)).mean(dim=(2, 3)))


class DenseLayer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, 4 * growth, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(4 * growth)
        self.conv2 = nn.Conv2d(4 * growth, growth, 3, 1, 1, bias=False)

    def forward(self, x):
        y = self.conv2(F.relu(self.bn2(self.conv1(F.relu(self.bn1(x))))))
        return torch.cat([x, y], 1)


class Transition(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.bn = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return F.avg_pool2d(self.conv(F.relu(self.bn(x))), 2)


class DenseNet(nn.Module):
    """DenseNet-BC, lite: growth 12, three dense blocks of 4 bottleneck layers, compression 0.5."""

    def __init__(self, channels, num_classes, growth=12, layers_per_block=4):
        super().__init__()
        self.stem = nn.Conv2d(channels, 2 * growth, 3, 1, 1, bias=False)
        parts, c = [], 2 * growth
        for b in range(3):
            for _ in range(layers_per_block):
                parts.append(DenseLayer(c, growth))
                c += growth
            if b < 2:
                parts.append(Transition(c, c // 2))
                c //= 2
        self.features = nn.Sequential(*parts)
        self.final_bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        h = self.features(self.stem(x))
        return self.fc(F.relu(self.final_bn(h)).mean(dim=(2, 3)))


def conv_bn_relu(layer, x):
    return F.relu(layer(x))


class Fcn(nn.Module):
    """FCN-8s-style: conv-BN-ReLU encoder at strides 2, 4, 8 (16, 32, 64 channels), a 1x1 score
    layer per stride, scores upsampled x2 and summed coarse to fine, then to the input size."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.e1 = ConvBN(channels, 16, 3, 2)
        self.e2a = ConvBN(16, 32, 3, 2)
        self.e2b = ConvBN(32, 32, 3)
        self.e3a = ConvBN(32, 64, 3, 2)
        self.e3b = ConvBN(64, 64, 3)
        self.score1 = nn.Conv2d(16, num_classes, 1)
        self.score2 = nn.Conv2d(32, num_classes, 1)
        self.score3 = nn.Conv2d(64, num_classes, 1)

    def forward(self, x):
        f1 = conv_bn_relu(self.e1, x)
        f2 = conv_bn_relu(self.e2b, conv_bn_relu(self.e2a, f1))
        f3 = conv_bn_relu(self.e3b, conv_bn_relu(self.e3a, f2))
        s = self.score3(f3)
        s = upsample(s, f2.shape[-2:]) + self.score2(f2)
        s = upsample(s, f1.shape[-2:]) + self.score1(f1)
        return upsample(s, x.shape[-2:]), []


PSP_BINS = (1, 2, 3, 6)


class Psp(nn.Module):
    """PSPNet, small: stride-2 stem and three residual stages to stride 8 (32, 64, 64), pyramid
    pooling over 1/2/3/6 bins (1x1 conv to 16 each), 3x3 fuse, 1x1 classifier; an auxiliary head
    on the second stage (training only; loss weight 0.4)."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.stem = ConvBN(channels, 16, 3, 2)
        self.layer1 = BasicBlock(16, 32, 2)
        self.layer2 = BasicBlock(32, 64, 2)
        self.layer3 = BasicBlock(64, 64, 1)
        branch = 64 // len(PSP_BINS)
        self.pyramid = nn.ModuleList(ConvBN(64, branch, 1) for _ in PSP_BINS)
        self.fuse = ConvBN(64 + branch * len(PSP_BINS), 64, 3)
        self.classifier = nn.Conv2d(64, num_classes, 1)
        self.aux_conv = ConvBN(64, 32, 3)
        self.aux_classifier = nn.Conv2d(32, num_classes, 1)

    def forward(self, x):
        c3 = self.layer2(self.layer1(conv_bn_relu(self.stem, x)))
        c4 = self.layer3(c3)
        size = c4.shape[-2:]
        pooled = [upsample(conv_bn_relu(p, F.adaptive_avg_pool2d(c4, b)), size) for p, b in zip(self.pyramid, PSP_BINS)]
        fused = conv_bn_relu(self.fuse, torch.cat([c4, *pooled], 1))
        main = upsample(self.classifier(fused), x.shape[-2:])
        if not self.training:
            return main, []
        aux = upsample(self.aux_classifier(conv_bn_relu(self.aux_conv, c3)), x.shape[-2:])
        return main, [aux]


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = ConvBN(cin, cout, 3)
        self.b = ConvBN(cout, cout, 3)

    def forward(self, x):
        return conv_bn_relu(self.b, conv_bn_relu(self.a, x))


class Unet(nn.Module):
    """U-Net, small, bilinear: three 2x2 max-pool levels (16, 32, 64, 64 channels of double 3x3
    conv-BN-ReLU), three upsamplings concatenated with the skip of the same size, 1x1 classifier."""

    def __init__(self, channels, num_classes):
        super().__init__()
        self.inc = DoubleConv(channels, 16)
        self.down1 = DoubleConv(16, 32)
        self.down2 = DoubleConv(32, 64)
        self.down3 = DoubleConv(64, 64)
        self.up1 = DoubleConv(128, 32)
        self.up2 = DoubleConv(64, 16)
        self.up3 = DoubleConv(32, 16)
        self.classifier = nn.Conv2d(16, num_classes, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(F.max_pool2d(x1, 2))
        x3 = self.down2(F.max_pool2d(x2, 2))
        x4 = self.down3(F.max_pool2d(x3, 2))
        y = x4
        for skip, layer in ((x3, self.up1), (x2, self.up2), (x1, self.up3)):
            y = layer(torch.cat([skip, upsample(y, skip.shape[-2:])], 1))
        return self.classifier(y), []


# pix2pix (src/engine/models/pix2pix.ts): the reference's U-Net and PatchGAN with batch norm, at a
# quarter of its widths; widths double per level up to 4x the base; init N(0, 0.02).
NGF = 16
NDF = 16
MAX_WIDTH_MULT = 4
LEAKY_SLOPE = 0.2


def unet_depth(size):
    """How many times the generator halves size: down to 1x1 for powers of two, at most 8."""
    d, s = 0, size
    while s % 2 == 0 and s > 1 and d < 8:
        s //= 2
        d += 1
    if d < 3:
        raise UsageError(f"inputSize: pix2pix needs a multiple of 8, got {size}")
    return d


def patch_gan_layers(size):
    return 3 if size >= 64 else 2 if size >= 32 else 1


def has_dropout(level, depth):
    """Dropout follows the up levels just outside the innermost one, at most three, never the outermost."""
    return max(1, depth - 4) <= level <= depth - 2


def unet_width(level, ngf=NGF):
    return ngf * min(2 ** level, MAX_WIDTH_MULT)


def dropout_shapes(size, n):
    """NCHW shapes of the generator's dropout masks for a batch of n, outermost level first."""
    d = unet_depth(size)
    return [(n, unet_width(i - 1), size >> i, size >> i) for i in range(1, d) if has_dropout(i, d)]


class UnetGenerator(nn.Module):
    """Levels are registered as the lab creates them (downs outermost first, then ups innermost
    first), so parameters come in the same order."""

    def __init__(self, size, in_channels, out_channels):
        super().__init__()
        d = self.depth = unet_depth(size)
        downs = []
        for i in range(d):
            cin = in_channels if i == 0 else unet_width(i - 1)
            bn = nn.Identity() if i in (0, d - 1) else nn.BatchNorm2d(unet_width(i))
            downs.append(nn.Sequential(nn.Conv2d(cin, unet_width(i), 4, 2, 1, bias=False), bn))
        ups = []
        for i in range(d - 1, -1, -1):
            cin = unet_width(i) if i == d - 1 else 2 * unet_width(i)
            cout = out_channels if i == 0 else unet_width(i - 1)
            bn = nn.Identity() if i == 0 else nn.BatchNorm2d(cout)
            ups.append(nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=i == 0), bn))
        self.downs = nn.ModuleList(downs)
        self.ups = nn.ModuleList(ups)

    def forward(self, x, dropout=None):
        """Images in [-1, 1]; dropout: masks of dropout_shapes (0 or 2), None for none (eval)."""
        d = self.depth
        skips, h = [], x
        for i in range(d):
            h = self.downs[i](h if i == 0 else F.leaky_relu(h, LEAKY_SLOPE))
            skips.append(h)
        masks = list(dropout) if dropout is not None else None
        for i in range(d - 1, -1, -1):
            inp = skips[i] if i == d - 1 else torch.cat([skips[i], h], 1)
            h = self.ups[d - 1 - i](F.relu(inp))
            if masks is not None and has_dropout(i, d):
                h = h * masks.pop()
        return torch.tanh(h)


class PatchDiscriminator(nn.Module):
    """Conditional PatchGAN on (input, image) stacked along channels: patch scores, no sigmoid."""

    def __init__(self, size, in_channels, out_channels):
        super().__init__()
        n = patch_gan_layers(size)

        def width(i):
            return NDF * min(2 ** i, MAX_WIDTH_MULT)

        layers = [nn.Conv2d(in_channels + out_channels, NDF, 4, 2, 1), nn.LeakyReLU(LEAKY_SLOPE)]
        for i in range(1, n):
            layers += [nn.Conv2d(width(i - 1), width(i), 4, 2, 1, bias=False), nn.BatchNorm2d(width(i)), nn.LeakyReLU(LEAKY_SLOPE)]
        layers += [nn.Conv2d(width(n - 1), width(n), 4, 1, 1, bias=False), nn.BatchNorm2d(width(n)), nn.LeakyReLU(LEAKY_SLOPE)]
        layers += [nn.Conv2d(width(n), 1, 4, 1, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, xy):
        return self.net(xy)


def init_pix2pix_(module, generator):
    """The reference's init_weights('normal', 0.02): conv weights N(0, 0.02), biases 0, batch
    norm weight N(1, 0.02), bias 0."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) * 0.02)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + torch.randn(m.weight.shape, generator=generator) * 0.02)
                m.bias.zero_()


CLASSIFIERS = {"cnn": Cnn, "resnet20": ResNet20, "mobilenetv2": MobileNetV2, "densenet": DenseNet}
SEGMENTERS = {"fcn": Fcn, "psp": Psp, "unet": Unet}


def build_nets(model, num_classes, size, seed, channels=3):
    """The seed's initial networks (one, or pix2pix's generator and discriminator), on the CPU,
    drawn from the seed's init stream whatever the device."""
    if model == "pix2pix":
        g = stream(seed, "init")
        gen, disc = UnetGenerator(size, channels, channels), PatchDiscriminator(size, channels, channels)
        init_pix2pix_(gen, g)
        init_pix2pix_(disc, g)
        return [gen, disc]
    factory = CLASSIFIERS.get(model) or SEGMENTERS.get(model)
    if factory is None:
        raise UsageError(f"model: {model!r} is not known to this script")
    torch.manual_seed(int(torch.randint(0, 2 ** 62, (1,), generator=stream(seed, "init"))))
    return [factory(channels, num_classes)]


def count_params(module):
    return sum(p.numel() for p in module.parameters())


# ----------------------------------------------------------------------------- data

def fail(msg):
    raise UsageError(msg)


def need_pillow():
    try:
        from PIL import Image
    except ImportError:
        fail("reading image files needs Pillow (pip install pillow)")
    return Image


def need_numpy():
    try:
        import numpy
    except ImportError:
        fail("reading datasets needs NumPy (pip install numpy)")
    return numpy


def to_nchw(arrays):
    """A list of HxWxC uint8 arrays (or one NxHxWxC array) as an NCHW uint8 tensor."""
    np = need_numpy()
    x = np.ascontiguousarray(np.stack(arrays) if isinstance(arrays, list) else arrays)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


def resize_weights(n_in, n_out):
    """The lab's resize along one axis (src/data/image.ts) as an n_out x n_in matrix: an area
    (box) filter when shrinking, bilinear with half-pixel centres when enlarging."""
    m = torch.zeros(n_out, n_in, dtype=torch.float64)
    scale = n_in / n_out
    for o in range(n_out):
        if scale > 1:
            start, end = o * scale, o * scale + scale
            for i in range(math.floor(start), min(n_in, math.ceil(end))):
                w = min(end, i + 1) - max(start, i)
                if w > 1e-9:
                    m[o, i] = w / scale
        else:
            src = min(max((o + 0.5) * scale - 0.5, 0), n_in - 1)
            i0 = math.floor(src)
            i1 = min(i0 + 1, n_in - 1)
            f = src - i0
            m[o, i0] += 1 - f if f > 0 and i1 != i0 else 1
            if f > 0 and i1 != i0:
                m[o, i1] += f
    return m


def resize_batch(x, size):
    """Resize of NCHW uint8 images (for datasets stored at another size) as the lab's loader
    does it: along each row first (kept as float32), then down the columns, rounded half up."""
    if x.shape[-1] == size and x.shape[-2] == size:
        return x
    wy = resize_weights(x.shape[-2], size)
    wx = resize_weights(x.shape[-1], size)
    out = []
    for i in range(0, x.shape[0], 1024):
        rows = (x[i:i + 1024].to(torch.float64) @ wx.t()).float().double()
        y = wy @ rows
        out.append(torch.floor(y + 0.5).clamp(0, 255).to(torch.uint8))
    return torch.cat(out)


def resample(name):
    Image = need_pillow()
    return getattr(getattr(Image, "Resampling", Image), name)


def read_rgb(path, size, box=None):
    Image = need_pillow()
    np = need_numpy()
    with Image.open(path) as im:
        im = im.convert("RGB")
        if box is not None:
            im = im.crop(box)
        return np.asarray(im.resize((size, size), resample("BILINEAR")), dtype=np.uint8)


def read_mask(path, size):
    """Class indices of an index PNG (VOC's palette masks included), resized by nearest neighbour."""
    Image = need_pillow()
    np = need_numpy()
    with Image.open(path) as im:
        if im.mode not in ("P", "L"):
            fail(f"{path}: a mask must be an index PNG (palette or grey), not {im.mode}")
        return np.asarray(im.resize((size, size), resample("NEAREST")), dtype=np.uint8)


def is_image(name):
    return name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")


def list_images(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if is_image(f) and os.path.isfile(os.path.join(folder, f)))


def subdirs(folder):
    return sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith(".") and d != "__MACOSX")


def unwrap(root):
    """Looks through folders that only wrap everything (one folder, no files)."""
    while True:
        dirs = subdirs(root)
        files = [f for f in os.listdir(root) if os.path.isfile(os.path.join(root, f)) and not f.startswith(".")]
        if len(dirs) != 1 or files or dirs[0].lower() in SPLIT_NAMES:
            return root
        root = os.path.join(root, dirs[0])


def find_dir(root, test, depth=4):
    """The first folder under root (root included, breadth first) for which test(path) holds."""
    level = [root]
    for _ in range(depth + 1):
        nxt = []
        for d in level:
            if test(d):
                return d
            nxt += [os.path.join(d, s) for s in subdirs(d)]
        level = nxt
    return None


def split_indices(labels, num_groups, seed, fraction=0.2):
    """A seeded split per group (stratified): round(n x fraction) to test, at least one when n >= 2."""
    train, test = [], []
    for k in range(num_groups):
        members = [i for i, y in enumerate(labels) if y == k]
        perm = torch.randperm(len(members), generator=stream(seed, "split", k)).tolist()
        n_test = round(len(members) * fraction)
        if len(members) >= 2:
            n_test = min(max(n_test, 1), len(members) - 1)
        for j, p in enumerate(perm):
            (test if j < n_test else train).append(members[p])
    return sorted(train), sorted(test)


def channel_stats(x):
    """Per-channel mean and (population) std of NCHW uint8 images on the 0..1 scale."""
    c = x.shape[1]
    s = torch.zeros(c, dtype=torch.float64)
    sq = torch.zeros(c, dtype=torch.float64)
    for i in range(0, x.shape[0], 1024):
        v = x[i:i + 1024].to(torch.float64).div_(255).transpose(0, 1).reshape(c, -1)
        s += v.sum(1)
        sq += (v * v).sum(1)
    count = x.numel() / c
    mean = s / count
    std = (sq / count - mean * mean).clamp(min=1e-12).sqrt()
    return mean.tolist(), std.tolist()


def read_cifar_folder(root):
    """CIFAR-10/100 in the official binary or python format, anywhere under root; None if absent."""
    np = need_numpy()
    py10 = find_dir(root, lambda d: os.path.isfile(os.path.join(d, "data_batch_1")) and os.path.isfile(os.path.join(d, "test_batch")))
    if py10:
        def load(names):
            xs, ys = [], []
            for n in names:
                with open(os.path.join(py10, n), "rb") as f:
                    d = pickle.load(f, encoding="bytes")
                xs.append(np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
                ys += list(d[b"labels"])
            return torch.from_numpy(np.concatenate(xs)), torch.tensor(ys)
        return "CIFAR-10", 10, load([f"data_batch_{i}" for i in range(1, 6) if os.path.isfile(os.path.join(py10, f"data_batch_{i}"))]), load(["test_batch"])
    py100 = find_dir(root, lambda d: os.path.isfile(os.path.join(d, "train")) and os.path.isfile(os.path.join(d, "test")) and os.path.isfile(os.path.join(d, "meta")))
    if py100:
        def load100(name):
            with open(os.path.join(py100, name), "rb") as f:
                d = pickle.load(f, encoding="bytes")
            return torch.from_numpy(np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)), torch.tensor(list(d[b"fine_labels"]))
        return "CIFAR-100", 100, load100("train"), load100("test")

    def read_bin(paths, record, label_at):
        raw = np.concatenate([np.fromfile(p, dtype=np.uint8) for p in paths])
        if raw.size % record:
            fail(f"{paths[0]}: {raw.size} bytes is not a whole number of {record}-byte CIFAR records")
        raw = raw.reshape(-1, record)
        return torch.from_numpy(raw[:, record - 3072:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(raw[:, label_at].astype(np.int64))
    bin10 = find_dir(root, lambda d: os.path.isfile(os.path.join(d, "data_batch_1.bin")) and os.path.isfile(os.path.join(d, "test_batch.bin")))
    if bin10:
        paths = sorted(os.path.join(bin10, f) for f in os.listdir(bin10) if f.startswith("data_batch_") and f.endswith(".bin"))
        return "CIFAR-10", 10, read_bin(paths, 3073, 0), read_bin([os.path.join(bin10, "test_batch.bin")], 3073, 0)
    bin100 = find_dir(root, lambda d: os.path.isfile(os.path.join(d, "train.bin")) and os.path.isfile(os.path.join(d, "test.bin")))
    if bin100:
        return "CIFAR-100", 100, read_bin([os.path.join(bin100, "train.bin")], 3074, 1), read_bin([os.path.join(bin100, "test.bin")], 3074, 1)
    return None


def read_image_folder(root, size, seed):
    """ImageFolder: train/<class>/* and test|val|validation/<class>/*, or <class>/* (seeded
    stratified 80/20 split). Classes are the sorted folder names."""
    root = unwrap(root)
    splits = {d.lower(): os.path.join(root, d) for d in subdirs(root) if d.lower() in SPLIT_NAMES}
    eval_dir = next((splits[s] for s in EVAL_SPLITS if s in splits), None)
    if "train" in splits and eval_dir:
        folders = {"train": splits["train"], "test": eval_dir}
    else:
        folders = {"all": splits.get("train", root)}
    classes = sorted({c for f in folders.values() for c in subdirs(f)})
    if len(classes) < 2:
        fail(f"--data-root {root}: needs an ImageFolder (train/<class>/*, test/<class>/*) with at least two classes")
    index = {c: k for k, c in enumerate(classes)}
    loaded = {}
    for split, folder in folders.items():
        paths, labels = [], []
        for c in subdirs(folder):
            for p in list_images(os.path.join(folder, c)):
                paths.append(p)
                labels.append(index[c])
        if not paths:
            fail(f"{folder}: has no images in class folders")
        loaded[split] = (to_nchw([read_rgb(p, size) for p in paths]), torch.tensor(labels))
    if "all" in loaded:
        x, y = loaded["all"]
        tr, te = split_indices(y.tolist(), len(classes), seed)
        loaded = {"train": (x[tr], y[tr]), "test": (x[te], y[te])}
    return os.path.basename(root.rstrip("/")) or "images", len(classes), loaded["train"], loaded["test"]


def download_with_torchvision(kind, root):
    try:
        import torchvision
    except ImportError:
        fail("--download needs torchvision (pip install torchvision); or download the data yourself and pass --data-root")
    if kind == "cifar10":
        torchvision.datasets.CIFAR10(root, train=True, download=True)
        torchvision.datasets.CIFAR10(root, train=False, download=True)
    else:
        torchvision.datasets.VOCSegmentation(root, year="2012", image_set="trainval", download=True)


def load_classify(args, size, seed):
    builtin = CONFIG["dataset"].startswith("builtin:")
    if builtin and args.download and args.rank == 0:
        download_with_torchvision("cifar10", args.data_root)
    barrier(args)
    found = read_cifar_folder(args.data_root) if os.path.isdir(args.data_root) else None
    if found is None and builtin:
        fail(f"--data-root {args.data_root}: no CIFAR-10 there (cifar-10-batches-py or cifar-10-batches-bin); add --download to fetch it")
    if found is not None:
        name, k, (xtr, ytr), (xte, yte) = found
        return {"name": name, "num_classes": k, "train": (resize_batch(xtr, size), ytr), "test": (resize_batch(xte, size), yte)}
    if not os.path.isdir(args.data_root):
        fail(f"--data-root {args.data_root}: is not a folder")
    name, k, train, test = read_image_folder(args.data_root, size, seed)
    return {"name": name, "num_classes": k, "train": train, "test": test}


def load_segment(args, size, seed):
    builtin = CONFIG["dataset"].startswith("builtin:")
    if builtin and args.download and args.rank == 0:
        download_with_torchvision("voc", args.data_root)
    barrier(args)
    if not os.path.isdir(args.data_root):
        fail(f"--data-root {args.data_root}: is not a folder" + ("; add --download to fetch Pascal VOC 2012" if builtin else ""))
    voc = find_dir(args.data_root, lambda d: os.path.isdir(os.path.join(d, "JPEGImages")) and os.path.isdir(os.path.join(d, "SegmentationClass")))
    if voc:
        masks = {os.path.splitext(f)[0]: os.path.join(voc, "SegmentationClass", f) for f in os.listdir(os.path.join(voc, "SegmentationClass")) if f.lower().endswith(".png")}
        images = {os.path.splitext(f)[0]: os.path.join(voc, "JPEGImages", f) for f in os.listdir(os.path.join(voc, "JPEGImages")) if is_image(f)}
        lists = os.path.join(voc, "ImageSets", "Segmentation")
        pairs = {}
        if os.path.isfile(os.path.join(lists, "train.txt")) and os.path.isfile(os.path.join(lists, "val.txt")):
            for split, name in (("train", "train.txt"), ("test", "val.txt")):
                with open(os.path.join(lists, name)) as f:
                    ids = [line.split()[0] for line in f if line.strip()]
                pairs[split] = [(images[i], masks[i]) for i in ids if i in images and i in masks]
        else:
            pairs["all"] = [(images[i], masks[i]) for i in sorted(masks) if i in images]
        num_classes, name = 21, "Pascal VOC 2012"
    elif builtin:
        fail(f"--data-root {args.data_root}: no Pascal VOC 2012 there (VOCdevkit/VOC2012 with JPEGImages/ and SegmentationClass/); add --download to fetch it")
    else:
        root = unwrap(args.data_root)
        img_dir = find_dir(root, lambda d: os.path.basename(d).lower() == "images", depth=2)
        mask_dir = img_dir and os.path.join(os.path.dirname(img_dir), next((d for d in subdirs(os.path.dirname(img_dir)) if d.lower() == "masks"), "masks"))
        if not img_dir or not os.path.isdir(mask_dir):
            fail(f"--data-root {args.data_root}: needs a Pascal VOC layout (JPEGImages/, SegmentationClass/) or images/ + masks/")
        pairs = {}
        for split_dir in [None, *subdirs(img_dir)]:
            sub = img_dir if split_dir is None else os.path.join(img_dir, split_dir)
            msub = mask_dir if split_dir is None else os.path.join(mask_dir, split_dir)
            key = "all" if split_dir is None else ("train" if split_dir.lower() == "train" else "test" if split_dir.lower() in EVAL_SPLITS else None)
            if key is None or not os.path.isdir(msub):
                continue
            mask_of = {os.path.splitext(f)[0]: os.path.join(msub, f) for f in os.listdir(msub) if is_image(f)}
            pairs.setdefault(key, []).extend((p, mask_of[os.path.splitext(os.path.basename(p))[0]]) for p in list_images(sub) if os.path.splitext(os.path.basename(p))[0] in mask_of)
        if "train" in pairs and "test" in pairs:
            pairs.pop("all", None)
        else:
            pairs = {"all": pairs.get("all", []) + pairs.get("train", []) + pairs.get("test", [])}
        classes_txt = find_dir(root, lambda d: os.path.isfile(os.path.join(d, "classes.txt")))
        num_classes = None
        if classes_txt:
            with open(os.path.join(classes_txt, "classes.txt")) as f:
                num_classes = len([line for line in f if line.strip()])
        name = os.path.basename(root.rstrip("/")) or "segmentation"
    loaded = {}
    for split, items in pairs.items():
        if not items:
            fail(f"--data-root {args.data_root}: no image and mask pairs for the {split} split")
        x = to_nchw([read_rgb(i, size) for i, _ in items])
        y = torch.from_numpy(need_numpy().stack([read_mask(m, size) for _, m in items]))
        loaded[split] = (x, y)
    if num_classes is None:
        y_all = torch.cat([y for _, y in loaded.values()])
        valid = y_all[y_all != IGNORE_INDEX]
        num_classes = max(int(valid.max()) + 1 if valid.numel() else 0, 2)
    for split, (x, y) in loaded.items():
        y[(y >= num_classes) & (y != IGNORE_INDEX)] = IGNORE_INDEX
    if "all" in loaded:
        x, y = loaded["all"]
        tr, te = split_indices([0] * x.shape[0], 1, seed)
        loaded = {"train": (x[tr], y[tr]), "test": (x[te], y[te])}
    return {"name": name, "num_classes": num_classes, "train": loaded["train"], "test": loaded["test"]}


def load_translate(args, size, seed):
    if not os.path.isdir(args.data_root):
        fail(f"--data-root {args.data_root}: is not a folder; translate needs pix2pix pairs (train/*.jpg, val/*.jpg, A|B side by side)")
    root = unwrap(args.data_root)
    splits = {d.lower(): os.path.join(root, d) for d in subdirs(root) if d.lower() in SPLIT_NAMES}
    eval_dir = next((splits[s] for s in EVAL_SPLITS if s in splits), None)
    groups = {}
    if "train" in splits:
        groups["train"] = list_images(splits["train"])
    if eval_dir:
        groups["test"] = list_images(eval_dir)
    if not any(groups.values()):
        fail(f"--data-root {args.data_root}: has no pix2pix pairs in train/, val/ or test/")
    if not groups.get("train") or not groups.get("test"):
        everything = groups.get("train", []) + groups.get("test", [])
        tr, te = split_indices([0] * len(everything), 1, seed)
        groups = {"train": [everything[i] for i in tr], "test": [everything[i] for i in te]}
    Image = need_pillow()
    loaded = {}
    for split, paths in groups.items():
        a, b = [], []
        for p in paths:
            with Image.open(p) as im:
                w, h = im.size
            half = w // 2
            left, right = (0, 0, half, h), (half, 0, w, h)
            if args.direction == "BtoA":
                left, right = right, left
            a.append(read_rgb(p, size, left))
            b.append(read_rgb(p, size, right))
        loaded[split] = (to_nchw(a), to_nchw(b))
    return {"name": os.path.basename(root.rstrip("/")) or "pairs", "num_classes": 0, "train": loaded["train"], "test": loaded["test"]}


def random_data(task, size, num_classes, n_train, n_test, seed):
    """--smoke: random tensors of the right shapes and ranges."""
    g = stream(seed, "smoke")

    def images(n):
        return torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)

    def split(n):
        if task == "classify":
            return images(n), torch.randint(0, num_classes, (n,), generator=g)
        if task == "segment":
            y = torch.randint(0, num_classes, (n, size, size), generator=g).to(torch.uint8)
            y[:, :, :1] = IGNORE_INDEX
            return images(n), y
        return images(n), images(n)
    return {"name": "random (--smoke)", "num_classes": num_classes, "train": split(n_train), "test": split(n_test)}


# ----------------------------------------------------------------------------- batches

class Batcher:
    """The lab's batches: a fresh seeded permutation per epoch, cut into full batches (a ragged
    last batch is dropped), augmented from the step's own stream. Each process under torchrun
    takes its slice of the same global batch."""

    def __init__(self, task, data, batch_size, augment, device, rank, world):
        self.task, self.augment, self.device = task, augment, device
        self.train_x = data["train"][0].to(device)
        self.train_y = data["train"][1].to(device)
        self.n = self.train_x.shape[0]
        if self.n == 0:
            fail("the training split is empty")
        self.batch = min(batch_size, self.n)
        self.steps_per_epoch = self.n // self.batch
        if self.batch % world:
            fail(f"batchSize: {self.batch} does not split evenly over {world} processes")
        self.local = self.batch // world
        self.part = slice(rank * self.local, (rank + 1) * self.local)
        self.orders = {}
        if task != "translate":
            mean, std = data["mean"], data["std"]
            self.mean = torch.tensor(mean, device=device).view(1, -1, 1, 1) * 255
            self.std = torch.tensor(std, device=device).view(1, -1, 1, 1) * 255

    def normalize(self, x):
        return (x - self.mean) / self.std

    def indices(self, seed, t):
        epoch, k = divmod(t, self.steps_per_epoch)
        key = (seed, epoch)
        if key not in self.orders:
            if len(self.orders) > 4:
                self.orders.clear()
            self.orders[key] = torch.randperm(self.n, generator=stream(seed, "data", epoch))
        return self.orders[key][k * self.batch:(k + 1) * self.batch]

    def batch_at(self, seed, t):
        idx = self.indices(seed, t)
        g = stream(seed, "augment", t)
        mine = idx[self.part].to(self.device)
        x = self.train_x[mine].float()
        y = self.train_y[mine]
        if self.task == "classify":
            if self.augment:
                x = self.crop_and_flip(x, g)
            return {"x": self.normalize(x), "y": y.long()}
        if self.task == "segment":
            y = y.long()
            if self.augment:
                flip = (torch.rand(self.batch, generator=g) < 0.5)[self.part].to(self.device)
                x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
                y = torch.where(flip.view(-1, 1, 1), y.flip(2), y)
            return {"x": self.normalize(x), "y": y}
        a, b = x, y.float()
        if self.augment:
            a, b = self.jitter(a, b, g)
        masks = []
        gd = stream(seed, "dropout", t)
        for shape in dropout_shapes(a.shape[-1], self.batch):
            keep = torch.rand(shape, generator=gd)[self.part] >= DROPOUT_RATE
            masks.append((keep.float() / (1 - DROPOUT_RATE)).to(self.device))
        return {"a": a / 127.5 - 1, "b": b / 127.5 - 1, "dropout": masks}

    def crop_and_flip(self, x, g):
        """torchvision's RandomCrop(size, padding=4) with zero fill, then RandomHorizontalFlip."""
        n, c, s, _ = x.shape
        p = CROP_PADDING
        offsets = torch.randint(0, 2 * p + 1, (self.batch, 2), generator=g)[self.part].to(self.device)
        flip = (torch.rand(self.batch, generator=g) < 0.5)[self.part].to(self.device)
        padded = F.pad(x, (p, p, p, p))
        ar = torch.arange(s, device=self.device)
        rows = offsets[:, 0:1] + ar
        cols = torch.where(flip[:, None], offsets[:, 1:2] + s - 1 - ar, offsets[:, 1:2] + ar)
        bi = torch.arange(n, device=self.device).view(-1, 1, 1, 1)
        ci = torch.arange(c, device=self.device).view(1, -1, 1, 1)
        return padded[bi, ci, rows.view(n, 1, s, 1), cols.view(n, 1, 1, s)]

    def jitter(self, a, b, g):
        """pix2pix's random jitter: scaled by 286/256 (bilinear, aligned corners), cropped back at a
        random whole-pixel offset, mirrored with probability 1/2; the same for a and b."""
        c, s = a.shape[1], a.shape[-1]
        big = int(math.floor(s * JITTER_SCALE + 0.5))
        offsets = torch.randint(0, big - s + 1, (self.batch, 2), generator=g)[self.part].tolist()
        flips = (torch.rand(self.batch, generator=g) < 0.5)[self.part].tolist()
        both = F.interpolate(torch.cat([a, b], 1), size=(big, big), mode="bilinear", align_corners=True)
        crops = []
        for i, ((oy, ox), flip) in enumerate(zip(offsets, flips)):
            crop = both[i, :, oy:oy + s, ox:ox + s]
            crops.append(crop.flip(2) if flip else crop)
        out = torch.stack(crops)
        return out[:, :c], out[:, c:]


# ----------------------------------------------------------------------------- training steps

def make_optimizer(cfg, params):
    """torch.optim with the lab's settings; the lab's optimizers follow these update rules exactly."""
    if cfg["type"] == "sgd":
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"], weight_decay=cfg["weightDecay"],
                               nesterov=cfg["nesterov"] and cfg["momentum"] > 0)
    cls = torch.optim.Adam if cfg["type"] == "adam" else torch.optim.AdamW
    return cls(params, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["epsilon"], weight_decay=cfg["weightDecay"])


def set_lr(opt, lr):
    for group in opt.param_groups:
        group["lr"] = lr


def grad_norm(params):
    """L2 norm of the (RG-weighted, data-loss) gradient, before the optimizer adds weight decay."""
    sq = [p.grad.detach().float().pow(2).sum() for p in params if p.grad is not None]
    return torch.stack(sq).sum().sqrt() if sq else torch.zeros(())


def masked_cross_entropy(logits, labels):
    """Mean cross-entropy over pixels whose label is not 255; 0 when there are none."""
    nll = F.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX, reduction="sum")
    return nll / (labels != IGNORE_INDEX).sum().clamp(min=1)


class Arm:
    """One arm of one seed: its networks (DDP-wrapped under torchrun), optimizers and tallies."""

    def __init__(self, cfg, seed, nets, device, distributed):
        self.cfg, self.seed, self.name = cfg, seed, cfg["name"]
        self.modules = [n.to(device) for n in nets]
        if distributed:
            from torch.nn.parallel import DistributedDataParallel as DDP
            # Buffers are not broadcast: pix2pix runs the discriminator twice before its backward
            # pass, and a broadcast between the two would overwrite tensors the first one saved.
            # Rank 0's batch-norm statistics are the ones evaluated (synchronised on CUDA).
            if device.type == "cuda":
                self.modules = [nn.SyncBatchNorm.convert_sync_batchnorm(m) for m in self.modules]
                self.nets = [DDP(m, device_ids=[device.index], broadcast_buffers=False) for m in self.modules]
            else:
                self.nets = [DDP(m, broadcast_buffers=False) for m in self.modules]
        else:
            self.nets = list(self.modules)
        self.opts = [make_optimizer(cfg["optimizer"], m.parameters()) for m in self.modules]
        self.diverged = None
        self.diverged_at = -1
        self.steps_done = 0
        self.ms = 0.0
        self.last_eval = {}
        self.best = {}

    def step(self, task, batch, weight, lr):
        """One optimizer step; returns (loss, gradNorm, extras, lossWeight) as tensors and a float."""
        for opt in self.opts:
            set_lr(opt, lr)
        if task == "translate":
            return self.step_pix2pix(batch, weight)
        net, opt = self.nets[0], self.opts[0]
        opt.zero_grad(set_to_none=True)
        extras = {}
        if task == "classify":
            loss = F.cross_entropy(net(batch["x"]), batch["y"])
        else:
            main, aux = net(batch["x"])
            loss = masked_cross_entropy(main, batch["y"])
            if aux:
                aux_loss = sum(masked_cross_entropy(a, batch["y"]) for a in aux)
                extras = {"mainLoss": loss.detach(), "auxLoss": aux_loss.detach()}
                loss = loss + AUX_LOSS_WEIGHT * aux_loss
        (loss * weight).backward()
        gn = grad_norm(self.modules[0].parameters())
        opt.step()
        return loss.detach(), gn, extras, weight

    def step_pix2pix(self, batch, weight):
        """The discriminator on (a, G(a)) as fake and (a, b) as real, then the generator against
        the updated discriminator: LSGAN + 100 x L1. rg.applyTo picks the losses the weight reaches."""
        gen, disc = self.nets
        opt_g, opt_d = self.opts
        to = self.cfg["rg"].get("applyTo", "generator")
        w_g = 1.0 if to == "discriminator" else weight
        w_d = 1.0 if to == "generator" else weight
        a, b = batch["a"], batch["b"]
        fake = gen(a, batch["dropout"])

        opt_d.zero_grad(set_to_none=True)
        d_fake = torch.mean((disc(torch.cat([a, fake.detach()], 1)) - 0) ** 2)
        d_real = torch.mean((disc(torch.cat([a, b], 1)) - 1) ** 2)
        ((d_real + d_fake) * 0.5 * w_d).backward()
        opt_d.step()

        # The generator's pass through the discriminator: the bare module, its weights frozen, so
        # DDP's gradient hooks of the discriminator are not involved.
        d_module = self.modules[1]
        d_module.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        g_adv = torch.mean((d_module(torch.cat([a, fake], 1)) - 1) ** 2)
        g_l1 = torch.mean(torch.abs(fake - b))
        loss = g_adv + LAMBDA_L1 * g_l1
        (loss * w_g).backward()
        d_module.requires_grad_(True)
        gn = grad_norm(self.modules[0].parameters())
        opt_g.step()
        extras = {"gAdv": g_adv.detach(), "gL1": g_l1.detach(), "dReal": d_real.detach(), "dFake": d_fake.detach()}
        return loss.detach(), gn, extras, w_g


# ----------------------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate(task, module, data, device, num_classes):
    module.eval()
    try:
        if task == "classify":
            return eval_classify(module, data, device, num_classes)
        if task == "segment":
            return eval_segment(module, data, device, num_classes)
        return eval_translate(module, data, device)
    finally:
        module.train()


def eval_classify(model, data, device, k):
    x_all, y_all = data["test"]
    loss_sum, correct, total = 0.0, torch.zeros(k, dtype=torch.long), torch.zeros(k, dtype=torch.long)
    for i in range(0, x_all.shape[0], 256):
        x = data["normalize"](x_all[i:i + 256].to(device).float())
        y = y_all[i:i + 256].to(device).long()
        logits = model(x)
        loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
        hit = logits.argmax(1) == y
        total += torch.bincount(y, minlength=k).cpu()
        correct += torch.bincount(y[hit], minlength=k).cpu()
    n = x_all.shape[0]
    return {"loss": loss_sum / n, "accuracy": int(correct.sum()) / n,
            "perClassAccuracy": [c / t if t else 0.0 for c, t in zip(correct.tolist(), total.tolist())]}


def segmentation_scores(confusion):
    """The FCN / VOC scores of a K x K confusion matrix (rows: true class), as src/engine/metrics.ts."""
    cm = confusion.double()
    truth, predicted, hit = cm.sum(1), cm.sum(0), cm.diag()
    total = float(cm.sum())
    union = truth + predicted - hit
    present = union > 0
    iou = torch.where(present, hit / union.clamp(min=1), torch.full_like(hit, -1.0))
    has_truth = truth > 0
    return {
        "pixelAccuracy": float(hit.sum()) / total if total else 0.0,
        "meanAccuracy": float((hit[has_truth] / truth[has_truth]).mean()) if bool(has_truth.any()) else 0.0,
        "mIoU": float(iou[present].mean()) if bool(present.any()) else 0.0,
        "fwIoU": float((truth[present] * iou[present]).sum()) / total if total else 0.0,
        "perClassIoU": iou.tolist(),
    }


def eval_segment(model, data, device, k):
    x_all, y_all = data["test"]
    size = x_all.shape[-1]
    step = max(1, (1 << 19) // (size * size))
    confusion = torch.zeros(k * k, dtype=torch.long)
    nll, pixels = 0.0, 0
    for i in range(0, x_all.shape[0], step):
        x = data["normalize"](x_all[i:i + step].to(device).float())
        y = y_all[i:i + step].to(device).long()
        logits, _ = model(x)
        valid = y != IGNORE_INDEX
        nll += float(F.cross_entropy(logits, y, ignore_index=IGNORE_INDEX, reduction="sum"))
        pixels += int(valid.sum())
        pred = logits.argmax(1)
        confusion += torch.bincount(y[valid] * k + pred[valid], minlength=k * k).cpu()
    return {"loss": nll / pixels if pixels else 0.0, **segmentation_scores(confusion.view(k, k))}


def gaussian_window(channels, device, size=11, sigma=1.5):
    half = (size - 1) / 2
    taps = torch.exp(-((torch.arange(size, dtype=torch.float64) - half) ** 2) / (2 * sigma * sigma))
    taps = taps / taps.sum()
    return (taps[:, None] * taps[None, :]).expand(channels, 1, size, size).contiguous().to(device)


def ssim_per_image(x, y):
    """SSIM (11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, data range 1) over every position
    where the window fits, per channel, averaged over positions and channels."""
    c = x.shape[1]
    w = gaussian_window(c, x.device)

    def blur(t):
        return F.conv2d(t, w, groups=c)
    x, y = x.double(), y.double()
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean(dim=(1, 2, 3))


def eval_translate(gen, data, device):
    a_all, b_all = data["test"]
    sums = [0.0, 0.0, 0.0]
    for i in range(0, a_all.shape[0], 16):
        a = a_all[i:i + 16].to(device).float() / 127.5 - 1
        target = b_all[i:i + 16].to(device).float() / 255
        out = ((gen(a, None) + 1) * 0.5).clamp(0, 1)
        mse = ((out - target) ** 2).mean(dim=(1, 2, 3)).clamp(min=1e-10)
        sums[0] += float((out - target).abs().mean(dim=(1, 2, 3)).sum())
        sums[1] += float((-10 * torch.log10(mse)).sum())
        sums[2] += float(ssim_per_image(out, target).sum())
    n = a_all.shape[0]
    return {"l1": sums[0] / n, "psnr": sums[1] / n, "ssim": sums[2] / n}


# ----------------------------------------------------------------------------- records

def clean(v):
    """JSON as the lab writes it: NaN and infinities become null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v


def js_number(v):
    """A non-finite float as JavaScript prints it (the lab's reasons say NaN and Infinity)."""
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity") if math.isinf(v) else str(v)


def js_exponential(v, digits):
    """JavaScript's toExponential: 6.78e+9, not 6.78e+09."""
    mantissa, exponent = f"{v:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent):+d}"


def data_hash(data):
    """sha256 of the data as loaded (train and test images and labels, resized, before
    normalisation): runs with the same hash trained and evaluated on the same data. Not the lab's
    hash of an archive's bytes: train.py reads a folder."""
    h = hashlib.sha256()

    def feed(v):
        if isinstance(v, torch.Tensor):
            h.update(v.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(v, (list, tuple)):
            for x in v:
                feed(x)
        elif isinstance(v, (int, float, str)):
            h.update(repr(v).encode())

    feed([data["train"], data["test"]])
    return "sha256-tensors:" + h.hexdigest()


def manifest_record(args, device, data):
    """The first record: where the records come from (the lab shows it with an imported run)."""
    return {"type": "manifest", "source": "pytorch", "config": CONFIG, "seeds": CONFIG["seeds"],
            "software": {"name": "rg-lab train.py", "version": RG_LAB_VERSION},
            "torch": torch.__version__, "device": device.type + (f" x {args.world}" if args.world > 1 else ""),
            "dataset": {"name": CONFIG["dataset"] if not args.smoke else "random (--smoke)", "contentHash": data_hash(data)},
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


class Records:
    """The JSONL output: every metric record carries "source": "pytorch"."""
    def __init__(self, path, enabled):
        self.enabled = enabled
        self.file = (open(path, "w") if path else sys.stdout) if enabled else None

    def write(self, record):
        if self.enabled:
            if record.get("type") != "manifest":
                record = {**record, "source": "pytorch"}
            self.file.write(json.dumps(clean(record), separators=(",", ":")) + "\n")
            self.file.flush()

    def close(self):
        if self.enabled and self.file is not sys.stdout:
            self.file.close()


# ----------------------------------------------------------------------------- the run

def barrier(args):
    if args.distributed:
        torch.distributed.barrier()


def setup(args):
    """Device and process group: torchrun sets WORLD_SIZE, RANK and LOCAL_RANK."""
    args.distributed = "WORLD_SIZE" in os.environ and "LOCAL_RANK" in os.environ
    args.rank, args.world = 0, 1
    want_cuda = args.device == "cuda" or (args.device is None and torch.cuda.is_available())
    if want_cuda and not torch.cuda.is_available():
        fail("--device cuda: CUDA is not available")
    if args.distributed:
        import torch.distributed as dist
        local = int(os.environ["LOCAL_RANK"])
        device = torch.device("cuda", local) if want_cuda else torch.device("cpu")
        if want_cuda:
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if want_cuda else "gloo")
        args.rank, args.world = dist.get_rank(), dist.get_world_size()
    else:
        device = torch.device(args.device or ("cuda" if want_cuda else "cpu"))
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    return device


def parse_args(argv):
    p = argparse.ArgumentParser(description="RG Lab experiment in PyTorch (see the docstring at the top of this file).",
                                epilog=f"This experiment: {CONFIG['task']}, {CONFIG['model']}, dataset {CONFIG['dataset']!r}; --data-root: {data_hint()}.")
    p.add_argument("--data-root", default="data", help="dataset folder (see the top of this file); default ./data")
    p.add_argument("--download", action="store_true", help="fetch CIFAR-10 or Pascal VOC 2012 with torchvision into --data-root")
    p.add_argument("--direction", choices=["AtoB", "BtoA"], default="AtoB", help="translate: which half of a pair is the input (AtoB: the left)")
    p.add_argument("--out", help="write the records here (JSON lines) instead of stdout")
    p.add_argument("--device", choices=["cuda", "cpu"], help="default: cuda when available")
    p.add_argument("--smoke", action="store_true", help="2 steps per arm and seed on random tensors, then an evaluation on random data")
    p.add_argument("--count-params", nargs="*", metavar="MODEL", help="print the parameter count of the config's model (or of MODELs) and exit")
    p.add_argument("--num-classes", type=int, help="class count for --smoke and --count-params (default: 10 classify, 21 segment)")
    return p.parse_args(argv)


def data_hint():
    """What --data-root should hold for this config."""
    builtin = CONFIG["dataset"].startswith("builtin:")
    if CONFIG["task"] == "classify":
        return "CIFAR-10 (or --download)" if builtin else "the archive extracted (ImageFolder or CIFAR binary)"
    if CONFIG["task"] == "segment":
        return "Pascal VOC 2012 (or --download)" if builtin else "the archive extracted (VOC, or images/ + masks/)"
    return "pix2pix pairs: train/ and val/ or test/, A|B side by side"


def default_classes(task, args):
    return args.num_classes or (21 if task == "segment" else 10)


def print_param_counts(args):
    names = args.count_params or [CONFIG["model"]]
    task = CONFIG["task"]
    for name in names:
        nets = build_nets(name, default_classes("segment" if name in SEGMENTERS else task, args), CONFIG["inputSize"], 0)
        labels = ["pix2pix-generator", "pix2pix-discriminator"] if name == "pix2pix" else [name]
        for label, net in zip(labels, nets):
            print(json.dumps({"type": "params", "model": label, "params": count_params(net)}, separators=(",", ":")))


def describe_eval(arm, metrics):
    parts = [f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float)]
    return f"{arm.name}/s{arm.seed}: {' '.join(parts)}"


def main(argv=None):
    args = parse_args(argv)
    if args.count_params is not None:
        print_param_counts(args)
        return 0
    device = setup(args)
    task, size = CONFIG["task"], CONFIG["inputSize"]
    seeds = CONFIG["seeds"]
    first_seed = seeds[0]
    if args.smoke:
        batch_size = min(CONFIG["batchSize"], 8)
        batch_size = max(batch_size - batch_size % args.world, args.world)
        data = random_data(task, size, default_classes(task, args), 2 * batch_size, batch_size, first_seed)
    else:
        batch_size = CONFIG["batchSize"]
        loader = {"classify": load_classify, "segment": load_segment, "translate": load_translate}[task]
        data = loader(args, size, first_seed)
    if task != "translate":
        data["mean"], data["std"] = channel_stats(data["train"][0])
    batcher = Batcher(task, data, batch_size, CONFIG["augment"], device, args.rank, args.world)
    if task != "translate":
        data["normalize"] = batcher.normalize
    spe = batcher.steps_per_epoch
    if args.smoke:
        total = 2
    else:
        total = CONFIG.get("steps") or CONFIG["epochs"] * spe
    eval_every = CONFIG["evalEvery"]
    records = Records(args.out, args.rank == 0)
    records.write(manifest_record(args, device, data))
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if args.rank == 0 else (lambda s: None)
    log(f"training {CONFIG['model']} on {data['name']} ({data['train'][0].shape[0]} train / {data['test'][0].shape[0]} test) "
        f"with {device.type}{f' x {args.world} processes' if args.world > 1 else ''}: "
        f"{len(CONFIG['arms'])} arms x {len(seeds)} seeds, {total} steps of {batcher.batch}")
    runs, diverged_runs = 0, 0
    for seed in seeds:
        base = build_nets(CONFIG["model"], data["num_classes"], size, seed)
        arms = [Arm(cfg, seed, copy.deepcopy(base), device, args.distributed) for cfg in CONFIG["arms"]]
        pending = []

        def flush():
            if not pending:
                return
            flat = [v for p in pending for v in p["tensors"]]
            values = torch.stack([v.detach().float().reshape(()).to(device) for v in flat])
            if args.distributed:
                torch.distributed.all_reduce(values)
                values /= args.world
            values = values.tolist()
            at = 0
            for p in pending:
                vals = values[at:at + len(p["tensors"])]
                at += len(p["tensors"])
                arm = p["arm"]
                if arm.diverged and p["step"] > arm.diverged_at:
                    continue
                loss, gn = vals[0], vals[1]
                record = {"type": "step", "arm": arm.name, "seed": seed, "step": p["step"], "epoch": p["epoch"], "loss": loss,
                          "weightedLoss": p["lossWeight"] * loss, "rgWeight": p["rgWeight"], "lr": p["lr"], "gradNorm": gn, "ms": p["ms"]}
                record.update(zip(p["extras"], vals[2:]))
                records.write(record)
                reason = None
                if not math.isfinite(loss):
                    reason = f"loss is {js_number(loss)}"
                elif not math.isfinite(gn):
                    reason = f"gradient norm is {js_number(gn)}"
                elif gn > MAX_GRAD_NORM:
                    reason = f"gradient norm {js_exponential(gn, 2)} exceeds {js_exponential(MAX_GRAD_NORM, 0)}"
                if reason and not arm.diverged:
                    arm.diverged, arm.diverged_at, arm.steps_done = reason, p["step"], p["step"]
                    records.write({"type": "diverged", "arm": arm.name, "seed": seed, "step": p["step"], "reason": reason})
                    log(f"diverged: {arm.name}/s{seed} at step {p['step']}: {reason}")
            pending.clear()

        for t in range(total):
            batch = batcher.batch_at(seed, t)
            u1, u2 = rg_uniforms(seed, t)
            for arm in arms:
                if arm.diverged:
                    continue
                t0 = time.perf_counter()
                weight = rg_weight_at(arm.cfg["rg"], u1, u2, t, spe)
                lr = learning_rate_at(arm.cfg, t, total, spe)
                loss, gn, extras, loss_weight = arm.step(task, batch, weight, lr)
                ms = (time.perf_counter() - t0) * 1000
                arm.steps_done = t + 1
                arm.ms += ms
                pending.append({"arm": arm, "step": t + 1, "epoch": t // spe, "tensors": [loss, gn, *extras.values()],
                                "extras": list(extras), "rgWeight": weight, "lossWeight": loss_weight, "lr": lr, "ms": ms})
            done = t + 1
            at_eval = done % eval_every == 0 or done == total
            if at_eval or len(pending) >= FLUSH_EVERY * len(arms):
                flush()
            if at_eval:
                lines = []
                for arm in arms:
                    if arm.diverged:
                        continue
                    if args.rank == 0:
                        module = arm.modules[0]
                        metrics = evaluate(task, module, data, device, data["num_classes"])
                        records.write({"type": "eval", "arm": arm.name, "seed": seed, "step": done, "epoch": done // spe, "metrics": metrics})
                        lines.append(describe_eval(arm, metrics))
                        arm.last_eval = {k: v for k, v in metrics.items() if isinstance(v, float)}
                        for k, v in arm.last_eval.items():
                            prev = arm.best.get(k)
                            if prev is None or (v > prev if k in HIGHER_IS_BETTER else v < prev):
                                arm.best[k] = v
                barrier(args)
                if lines:
                    log(f"step {done}/{total} epoch {done / spe:.2f} | " + " | ".join(lines))
            if all(arm.diverged for arm in arms):
                break
        flush()
        for arm in arms:
            runs += 1
            diverged_runs += 1 if arm.diverged else 0
            summary = {"type": "summary", "arm": arm.name, "seed": seed, "steps": arm.steps_done, "ms": arm.ms,
                       "final": arm.last_eval, "best": arm.best}
            if arm.diverged:
                summary["diverged"] = arm.diverged
            records.write(summary)
    records.close()
    if args.distributed:
        torch.distributed.destroy_process_group()
    if diverged_runs == runs:
        log(f"training failed: every arm diverged ({runs} of {runs} runs)")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
