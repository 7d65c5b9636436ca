import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { originalCpuConv2DBackpropFilter, registerCpuTrainingKernels } from './cpuKernels';

describe('cpu Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerCpuTrainingKernels();
  });

  const cases: [k: number, stride: number, pad: 'same' | 'valid' | number][] = [
    [1, 1, 'same'],
    [3, 1, 'same'],
    [3, 2, 'same'],
    [5, 1, 'valid'],
    [5, 2, 2],
    [3, 2, 'valid'],
  ];
  it.each(cases)('matches the package kernel: %i x %i, stride %i, pad %s', (k, stride, pad) => {
    const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const filterShape: [number, number, number, number] = [k, k, 3, 4];
    const y = tf.conv2d(x, tf.zeros(filterShape) as tf.Tensor4D, stride, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const fast = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: [stride, stride], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as never) as tf.Tensor;
    const original = originalCpuConv2DBackpropFilter();
    if (!original) throw new Error('not registered');
    const backend = tf.backend();
    const info = original({ inputs: { x, dy }, backend, attrs: { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape } as never }) as tf.TensorInfo;
    const reference = tf.engine().makeTensorFromTensorInfo(info);
    const scale = tf.max(tf.abs(reference)).dataSync()[0];
    expect(tf.max(tf.abs(tf.sub(fast, reference))).dataSync()[0]).toBeLessThanOrEqual(1e-6 * scale);
    expect(fast.shape).toEqual(filterShape);
    tf.dispose([x, y, dy, fast, reference]);
  });
});
