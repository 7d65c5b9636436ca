import * as tf from '@tensorflow/tfjs';
import { SEGMENTERS, type SegmenterName } from '../config';
import type { Rng } from '../rng';
import { type BatchNorm, type Conv, type Model, type ModelSpec, ParamBuilder } from './layers';

/**
 * Segmenters for square 16-128 px inputs: per-pixel class logits (N x H x W x K) at the input's
 * size. Small versions of FCN, PSPNet and U-Net, built from the PyTorch-initialised layer kit
 * with parameters in a fixed order from the init stream. Upsampling is bilinear with aligned
 * corners (PSPNet's choice), whose gradient every TF.js backend has (cpu, wasm, webgl, webgpu);
 * no dilated convolutions, which the wasm training kernels do not support.
 */

/** PSPNet's auxiliary-loss weight: training loss = main + AUX_LOSS_WEIGHT x auxiliary. */
export const AUX_LOSS_WEIGHT = 0.4;

/** A segmentation model; `apply` gives the main head's logits. */
export interface Segmenter extends Model {
  /** Main logits and, for models with auxiliary heads (psp), their logits too; all at the input's size. */
  applyHeads(x: tf.Tensor4D, training: boolean): { main: tf.Tensor4D; aux: tf.Tensor4D[] };
}

interface ConvBn {
  conv: Conv;
  bn: BatchNorm;
}

function convBn(pb: ParamBuilder, k: number, cin: number, cout: number, stride = 1): ConvBn {
  return { conv: pb.conv(k, cin, cout, { stride, bias: false }), bn: pb.batchNorm(cout) };
}

function convBnRelu(l: ConvBn, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return tf.relu(l.bn.apply(l.conv.apply(x), training));
}

/**
 * Bilinear resize with aligned corners to `size` (height, width); a no-op at that size already.
 * Aligned corners because no backend's gradient kernel honours halfPixelCenters (TF.js 4.22);
 * maps stay square because the cpu gradient kernel swaps a non-square input's height and width.
 */
function upsample(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x;
  return tf.image.resizeBilinear(x, size, true);
}

function sizeOf(x: tf.Tensor4D): [number, number] {
  return [x.shape[1], x.shape[2]];
}

function makeSegmenter(name: string, pb: ParamBuilder, heads: Segmenter['applyHeads']): Segmenter {
  return {
    name,
    params: pb.params,
    buffers: pb.buffers,
    applyHeads: heads,
    apply: (x, training) => {
      const { main, aux } = heads(x, training);
      tf.dispose(aux);
      return main;
    },
  };
}

/**
 * `fcn`: a fully convolutional network with FCN-8s-style skips. Encoder: conv-BN-ReLU at
 * strides 2, 4 and 8 (16, 32, 64 channels, the last two stages two convs deep); a 1x1 score
 * layer at each stride; scores upsampled x2 and summed coarse to fine, then to the input size.
 */
export function createFcn(spec: ModelSpec, rng: Rng | null): Segmenter {
  const pb = new ParamBuilder(rng);
  const k = spec.numClasses;
  const e1 = convBn(pb, 3, spec.channels, 16, 2);
  const e2a = convBn(pb, 3, 16, 32, 2);
  const e2b = convBn(pb, 3, 32, 32);
  const e3a = convBn(pb, 3, 32, 64, 2);
  const e3b = convBn(pb, 3, 64, 64);
  const score1 = pb.conv(1, 16, k);
  const score2 = pb.conv(1, 32, k);
  const score3 = pb.conv(1, 64, k);
  return makeSegmenter('fcn', pb, (x, training) => {
    const f1 = convBnRelu(e1, x, training);
    const f2 = convBnRelu(e2b, convBnRelu(e2a, f1, training), training);
    const f3 = convBnRelu(e3b, convBnRelu(e3a, f2, training), training);
    let s = score3.apply(f3);
    s = tf.add(upsample(s, sizeOf(f2)), score2.apply(f2));
    s = tf.add(upsample(s, sizeOf(f1)), score1.apply(f1));
    return { main: upsample(s, sizeOf(x)), aux: [] };
  });
}

interface BasicBlock {
  a: ConvBn;
  b: ConvBn;
  shortcut: ConvBn | null;
}

function basicBlock(pb: ParamBuilder, cin: number, cout: number, stride: number): BasicBlock {
  return {
    a: convBn(pb, 3, cin, cout, stride),
    b: convBn(pb, 3, cout, cout),
    shortcut: stride !== 1 || cin !== cout ? convBn(pb, 1, cin, cout, stride) : null,
  };
}

function applyBlock(blk: BasicBlock, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  const y = blk.b.bn.apply(blk.b.conv.apply(convBnRelu(blk.a, x, training)), training);
  const sc = blk.shortcut ? blk.shortcut.bn.apply(blk.shortcut.conv.apply(x), training) : x;
  return tf.relu(tf.add(y, sc) as tf.Tensor4D);
}

/** PSPNet's pyramid bins: the feature map is average-pooled to 1x1, 2x2, 3x3 and 6x6. */
export const PSP_BINS: readonly number[] = [1, 2, 3, 6];

/**
 * The linear map of PyTorch's adaptive average pooling from `size` to `bins` cells along one
 * axis: cell i averages [floor(i * size / bins), ceil((i + 1) * size / bins)).
 */
export function adaptivePoolWeights(size: number, bins: number): Float32Array {
  const w = new Float32Array(bins * size);
  for (let i = 0; i < bins; i++) {
    const start = Math.floor((i * size) / bins);
    const end = Math.ceil(((i + 1) * size) / bins);
    for (let j = start; j < end; j++) w[i * size + j] = 1 / (end - start);
  }
  return w;
}

/** Adaptive average pooling of NHWC `x` to bins x bins, as one matrix product (exact for any size). */
export function adaptiveAvgPool(x: tf.Tensor4D, bins: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const wy = adaptivePoolWeights(h, bins);
  const wx = adaptivePoolWeights(w, bins);
  const m = new Float32Array(bins * bins * h * w);
  for (let i = 0; i < bins; i++) {
    for (let j = 0; j < bins; j++) {
      const row = (i * bins + j) * h * w;
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) m[row + y * w + xx] = wy[i * h + y] * wx[j * w + xx];
    }
  }
  return tf.tidy(() => {
    const flat = tf.reshape(tf.transpose(tf.reshape(x, [n, h * w, c]), [1, 0, 2]), [h * w, n * c]);
    const pooled = tf.matMul(tf.tensor2d(m, [bins * bins, h * w]), flat);
    return tf.reshape(tf.transpose(tf.reshape(pooled, [bins * bins, n, c]), [1, 0, 2]), [n, bins, bins, c]);
  });
}

/**
 * `psp`: PSPNet, small. Backbone: a stride-2 stem and three residual stages to stride 8
 * (32, 64, 64 channels). Pyramid pooling over bins 1, 2, 3, 6 (1x1 conv to 16 channels each,
 * upsampled and concatenated with the features), a 3x3 conv, a 1x1 classifier. An auxiliary
 * head on the second stage's output (3x3 conv, 1x1 classifier) adds 0.4 x its loss in training.
 */
export function createPsp(spec: ModelSpec, rng: Rng | null): Segmenter {
  const pb = new ParamBuilder(rng);
  const k = spec.numClasses;
  const stem = convBn(pb, 3, spec.channels, 16, 2);
  const layer1 = basicBlock(pb, 16, 32, 2);
  const layer2 = basicBlock(pb, 32, 64, 2);
  const layer3 = basicBlock(pb, 64, 64, 1);
  const branch = 64 / PSP_BINS.length;
  const pyramid = PSP_BINS.map(() => convBn(pb, 1, 64, branch));
  const fuse = convBn(pb, 3, 64 + branch * PSP_BINS.length, 64);
  const classifier = pb.conv(1, 64, k);
  const auxConv = convBn(pb, 3, 64, 32);
  const auxClassifier = pb.conv(1, 32, k);
  return makeSegmenter('psp', pb, (x, training) => {
    const c1 = convBnRelu(stem, x, training);
    const c2 = applyBlock(layer1, c1, training);
    const c3 = applyBlock(layer2, c2, training);
    const c4 = applyBlock(layer3, c3, training);
    const size = sizeOf(c4);
    const pooled = PSP_BINS.map((bins, i) => upsample(convBnRelu(pyramid[i], adaptiveAvgPool(c4, bins), training), size));
    const fused = convBnRelu(fuse, tf.concat([c4, ...pooled], 3), training);
    const main = upsample(classifier.apply(fused), sizeOf(x));
    if (!training) return { main, aux: [] };
    const aux = upsample(auxClassifier.apply(convBnRelu(auxConv, c3, training)), sizeOf(x));
    return { main, aux: [aux] };
  });
}

function doubleConv(pb: ParamBuilder, cin: number, cout: number): [ConvBn, ConvBn] {
  return [convBn(pb, 3, cin, cout), convBn(pb, 3, cout, cout)];
}

function applyDouble(l: [ConvBn, ConvBn], x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return convBnRelu(l[1], convBnRelu(l[0], x, training), training);
}

/**
 * `unet`: U-Net, small, with bilinear upsampling (the common "bilinear" variant). Three 2x2
 * max-pool downsamplings (16, 32, 64, 64 channels of double 3x3 conv-BN-ReLU), three
 * upsamplings each concatenated with the skip of the same size, and a 1x1 classifier.
 */
export function createUnet(spec: ModelSpec, rng: Rng | null): Segmenter {
  const pb = new ParamBuilder(rng);
  const inc = doubleConv(pb, spec.channels, 16);
  const down1 = doubleConv(pb, 16, 32);
  const down2 = doubleConv(pb, 32, 64);
  const down3 = doubleConv(pb, 64, 64);
  const up1 = doubleConv(pb, 128, 32);
  const up2 = doubleConv(pb, 64, 16);
  const up3 = doubleConv(pb, 32, 16);
  const classifier = pb.conv(1, 16, spec.numClasses);
  const pool = (t: tf.Tensor4D): tf.Tensor4D => tf.maxPool(t, 2, 2, 'valid');
  const up = (t: tf.Tensor4D, skip: tf.Tensor4D, l: [ConvBn, ConvBn], training: boolean): tf.Tensor4D =>
    applyDouble(l, tf.concat([skip, upsample(t, sizeOf(skip))], 3), training);
  return makeSegmenter('unet', pb, (x, training) => {
    const x1 = applyDouble(inc, x, training);
    const x2 = applyDouble(down1, pool(x1), training);
    const x3 = applyDouble(down2, pool(x2), training);
    const x4 = applyDouble(down3, pool(x3), training);
    const y = up(up(up(x4, x3, up1, training), x2, up2, training), x1, up3, training);
    return { main: classifier.apply(y), aux: [] };
  });
}

/** The segmenters by name, for the model registry. */
export const SEGMENTER_FACTORIES: Readonly<Record<SegmenterName, (spec: ModelSpec, rng: Rng | null) => Segmenter>> = {
  fcn: createFcn,
  psp: createPsp,
  unet: createUnet,
};

/** Builds a segmenter by name; `rng` draws its initial weights, null makes a clone to copy into. */
export function createSegmenter(name: string, spec: ModelSpec, rng: Rng | null): Segmenter {
  const factory = (SEGMENTER_FACTORIES as Record<string, (s: ModelSpec, r: Rng | null) => Segmenter>)[name];
  if (!factory) throw new Error(`unknown segmentation model "${name}"; allowed: ${SEGMENTERS.join(', ')}`);
  return factory(spec, rng);
}
