/**
 * The engine's view of data: decoded images as uint8 arrays in NHWC order. data/ builds these
 * (built-in generators, archive parsers); the engine uploads them and draws batches.
 */

export interface ImageSplit {
  /** n x height x width x channels bytes, NHWC. */
  images: Uint8Array;
  /** Class index per image. */
  labels: Int32Array;
  n: number;
}

export interface ClassificationDataset {
  kind: 'classify';
  name: string;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  train: ImageSplit;
  test: ImageSplit;
  /** Per-channel mean and std of the training split, on the 0..1 scale. */
  mean: number[];
  std: number[];
}

/** Masks hold one class index per pixel; this value marks pixels to ignore (VOC's void). */
export const IGNORE_INDEX = 255;

export interface SegmentationSplit {
  /** n x height x width x channels bytes, NHWC. */
  images: Uint8Array;
  /** n x height x width class indices; IGNORE_INDEX where unlabelled. */
  masks: Uint8Array;
  n: number;
}

export interface SegmentationDataset {
  kind: 'segment';
  name: string;
  classNames: string[];
  /** RGB per class, for overlays and the legend. */
  palette: [number, number, number][];
  height: number;
  width: number;
  channels: number;
  train: SegmentationSplit;
  test: SegmentationSplit;
  mean: number[];
  std: number[];
}

export interface PairSplit {
  /** Inputs, n x height x width x channels bytes, NHWC. */
  a: Uint8Array;
  /** Targets, the same shape. */
  b: Uint8Array;
  n: number;
}

/** Image-to-image pairs (pix2pix): translate a into b. */
export interface PairDataset {
  kind: 'translate';
  name: string;
  height: number;
  width: number;
  channels: number;
  train: PairSplit;
  test: PairSplit;
}

export type Dataset = ClassificationDataset | SegmentationDataset | PairDataset;

/**
 * Per-channel mean and standard deviation of NHWC uint8 images, on the 0..1 scale. Sums are of
 * whole bytes (exact in float64 up to 2^53), all channels in one pass over the bytes.
 */
export function computeChannelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  const count = images.length / channels;
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  if (channels === 3) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    for (let i = 0; i + 2 < images.length; i += 3) {
      const a = images[i];
      const b = images[i + 1];
      const c = images[i + 2];
      s0 += a;
      s1 += b;
      s2 += c;
      q0 += a * a;
      q1 += b * b;
      q2 += c * c;
    }
    sum.set([s0, s1, s2]);
    sq.set([q0, q1, q2]);
  } else {
    for (let i = 0; i < images.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const v = images[i + c];
        sum[c] += v;
        sq[c] += v * v;
      }
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / 255 / count;
    mean.push(m);
    std.push(Math.sqrt(Math.max(sq[c] / (255 * 255) / count - m * m, 1e-12)));
  }
  return { mean, std };
}

/**
 * Images `idx` of NHWC bytes (`per` bytes each) as one float32 array of their 0..255 values,
 * gathered on the host: datasets stay uint8 in the training side's memory and only each batch
 * goes to the backend, as float32 (TF.js has no uint8 tensors).
 */
export function gatherBytes(src: Uint8Array, idx: ArrayLike<number>, per: number): Float32Array {
  const out = new Float32Array(idx.length * per);
  for (let k = 0; k < idx.length; k++) out.set(src.subarray(idx[k] * per, (idx[k] + 1) * per), k * per);
  return out;
}
