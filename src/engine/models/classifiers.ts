import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import { BatchNorm, Conv, Dense, globalAvgPool, type Model, type ModelSpec, ParamBuilder } from './layers';

/**
 * The four classifiers for square 16-64 px inputs. Each builds its parameters in a fixed
 * order from the init stream, so one seed gives one set of initial weights.
 */

/** The `cnn` of docs/reference.md (Models): conv3x3 16, conv3x3 32 /2, conv3x3 64 /2 (ReLU, 'same'), GAP, dense. */
export function createCnn(spec: ModelSpec, rng: Rng | null): Model {
  const pb = new ParamBuilder(rng);
  const c1 = pb.conv(3, spec.channels, 16);
  const c2 = pb.conv(3, 16, 32, { stride: 2 });
  const c3 = pb.conv(3, 32, 64, { stride: 2 });
  const fc = pb.dense(64, spec.numClasses);
  return {
    name: 'cnn',
    params: pb.params,
    buffers: pb.buffers,
    apply: (x) => {
      const h = tf.relu(c3.apply(tf.relu(c2.apply(tf.relu(c1.apply(x))))));
      return fc.apply(globalAvgPool(h as tf.Tensor4D));
    },
  };
}

interface ConvBn {
  conv: Conv;
  bn: BatchNorm;
}

function convBn(pb: ParamBuilder, k: number, cin: number, cout: number, stride = 1, depthwise = false): ConvBn {
  return { conv: pb.conv(k, cin, cout, { stride, bias: false, depthwise }), bn: pb.batchNorm(cout) };
}

function applyConvBn(l: ConvBn, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return l.bn.apply(l.conv.apply(x), training);
}

/** CIFAR ResNet-20 (He et al. 2016): 3 stages of 3 basic blocks, 16/32/64 channels, 1x1 projection shortcuts. */
export function createResnet20(spec: ModelSpec, rng: Rng | null): Model {
  const pb = new ParamBuilder(rng);
  const stem = convBn(pb, 3, spec.channels, 16);
  interface Block {
    a: ConvBn;
    b: ConvBn;
    shortcut: ConvBn | null;
  }
  const blocks: Block[] = [];
  let cin = 16;
  for (const [cout, stride] of [[16, 1], [32, 2], [64, 2]] as const) {
    for (let i = 0; i < 3; i++) {
      const s = i === 0 ? stride : 1;
      blocks.push({
        a: convBn(pb, 3, cin, cout, s),
        b: convBn(pb, 3, cout, cout),
        shortcut: s !== 1 || cin !== cout ? convBn(pb, 1, cin, cout, s) : null,
      });
      cin = cout;
    }
  }
  const fc = pb.dense(64, spec.numClasses);
  return {
    name: 'resnet20',
    params: pb.params,
    buffers: pb.buffers,
    apply: (x, training) => {
      let h = tf.relu(applyConvBn(stem, x, training)) as tf.Tensor4D;
      for (const blk of blocks) {
        const y = applyConvBn(blk.b, tf.relu(applyConvBn(blk.a, h, training)) as tf.Tensor4D, training);
        const sc = blk.shortcut ? applyConvBn(blk.shortcut, h, training) : h;
        h = tf.relu(tf.add(y, sc)) as tf.Tensor4D;
      }
      return fc.apply(globalAvgPool(h));
    },
  };
}

/** MobileNetV2, lite: inverted residual blocks (1x1 expand, 3x3 depthwise, 1x1 project), ReLU6, about 0.1 M parameters. */
export function createMobilenetV2(spec: ModelSpec, rng: Rng | null): Model {
  const pb = new ParamBuilder(rng);
  const stem = convBn(pb, 3, spec.channels, 32);
  interface Block {
    expand: ConvBn | null;
    dw: ConvBn;
    project: ConvBn;
    residual: boolean;
  }
  const blocks: Block[] = [];
  let cin = 32;
  // (expansion t, channels c, repeats n, first stride s), as in the paper's table, scaled down.
  const settings: [number, number, number, number][] = [[1, 16, 1, 1], [4, 24, 2, 1], [4, 32, 2, 2], [4, 64, 2, 2]];
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      blocks.push({
        expand: t === 1 ? null : convBn(pb, 1, cin, hidden),
        dw: convBn(pb, 3, hidden, hidden, stride, true),
        project: convBn(pb, 1, hidden, c),
        residual: stride === 1 && cin === c,
      });
      cin = c;
    }
  }
  const head = convBn(pb, 1, cin, 256);
  const fc = pb.dense(256, spec.numClasses);
  return {
    name: 'mobilenetv2',
    params: pb.params,
    buffers: pb.buffers,
    apply: (x, training) => {
      let h = tf.relu6(applyConvBn(stem, x, training)) as tf.Tensor4D;
      for (const blk of blocks) {
        let y = blk.expand ? (tf.relu6(applyConvBn(blk.expand, h, training)) as tf.Tensor4D) : h;
        y = tf.relu6(applyConvBn(blk.dw, y, training)) as tf.Tensor4D;
        y = applyConvBn(blk.project, y, training);
        h = blk.residual ? (tf.add(h, y) as tf.Tensor4D) : y;
      }
      h = tf.relu6(applyConvBn(head, h, training)) as tf.Tensor4D;
      return fc.apply(globalAvgPool(h));
    },
  };
}

/** DenseNet-BC, lite: growth 12, three dense blocks of 4 bottleneck layers, compression 0.5. */
export function createDensenet(spec: ModelSpec, rng: Rng | null): Model {
  const growth = 12;
  const layersPerBlock = 4;
  const pb = new ParamBuilder(rng);
  const stem = pb.conv(3, spec.channels, 2 * growth, { bias: false });
  interface Layer {
    bn1: BatchNorm;
    conv1: Conv;
    bn2: BatchNorm;
    conv2: Conv;
  }
  interface Transition {
    bn: BatchNorm;
    conv: Conv;
  }
  const stages: { layers: Layer[]; transition: Transition | null }[] = [];
  let c = 2 * growth;
  for (let b = 0; b < 3; b++) {
    const layers: Layer[] = [];
    for (let i = 0; i < layersPerBlock; i++) {
      layers.push({
        bn1: pb.batchNorm(c),
        conv1: pb.conv(1, c, 4 * growth, { bias: false }),
        bn2: pb.batchNorm(4 * growth),
        conv2: pb.conv(3, 4 * growth, growth, { bias: false }),
      });
      c += growth;
    }
    let transition: Transition | null = null;
    if (b < 2) {
      const out = Math.floor(c / 2);
      transition = { bn: pb.batchNorm(c), conv: pb.conv(1, c, out, { bias: false }) };
      c = out;
    }
    stages.push({ layers, transition });
  }
  const finalBn = pb.batchNorm(c);
  const fc: Dense = pb.dense(c, spec.numClasses);
  return {
    name: 'densenet',
    params: pb.params,
    buffers: pb.buffers,
    apply: (x, training) => {
      let h = stem.apply(x);
      for (const stage of stages) {
        for (const l of stage.layers) {
          let y = l.conv1.apply(tf.relu(l.bn1.apply(h, training)) as tf.Tensor4D);
          y = l.conv2.apply(tf.relu(l.bn2.apply(y, training)) as tf.Tensor4D);
          h = tf.concat([h, y], 3) as tf.Tensor4D;
        }
        if (stage.transition) {
          const t = stage.transition.conv.apply(tf.relu(stage.transition.bn.apply(h, training)) as tf.Tensor4D);
          h = tf.avgPool(t, 2, 2, 'valid') as tf.Tensor4D;
        }
      }
      return fc.apply(globalAvgPool(tf.relu(finalBn.apply(h, training)) as tf.Tensor4D));
    },
  };
}

/**
 * ConvNetJS's CIFAR-10 demo network, the pure-JS peer the benchmarks compare against (not offered
 * in the lab's model list): conv5x5 16, conv5x5 20, conv5x5 20 ('same', ReLU, each followed by a
 * 2x2 max pool), dense to the classes on the flattened map.
 */
export function createConvnetjs(spec: ModelSpec, rng: Rng | null): Model {
  const pb = new ParamBuilder(rng);
  const convs = [pb.conv(5, spec.channels, 16), pb.conv(5, 16, 20), pb.conv(5, 20, 20)];
  const side = Math.floor(Math.floor(Math.floor(spec.inputSize / 2) / 2) / 2);
  const fc = pb.dense(side * side * 20, spec.numClasses);
  return {
    name: 'convnetjs',
    params: pb.params,
    buffers: pb.buffers,
    apply: (x) => {
      let h = x as tf.Tensor4D;
      for (const c of convs) h = tf.maxPool(tf.relu(c.apply(h)), 2, 2, 'valid');
      return fc.apply(tf.reshape(h, [h.shape[0], -1]));
    },
  };
}
