/**
 * Segmentation metrics over a confusion matrix, with the definitions of the FCN paper (Long et
 * al. 2015, section 5) and the Pascal VOC evaluation. With n[i][j] the number of pixels of true
 * class i predicted as class j, t[i] = sum_j n[i][j] the pixels of class i, and
 * p[j] = sum_i n[i][j] the pixels predicted as j:
 *   pixel accuracy      sum_i n[i][i] / sum_i t[i]
 *   mean accuracy       mean over classes with t[i] > 0 of n[i][i] / t[i]
 *   IoU of class i      n[i][i] / (t[i] + p[i] - n[i][i])
 *   mIoU                mean of IoU over classes present in the ground truth or the prediction
 *   frequency-weighted  sum over classes with t[i] > 0 of t[i] * IoU[i], divided by sum_i t[i]
 * Ignored pixels (label 255) never enter the matrix.
 */

/** perClassIoU's value for a class absent from both the ground truth and the prediction (left out of mIoU). */
export const ABSENT_CLASS_IOU = -1;

export interface SegmentationScores {
  pixelAccuracy: number;
  meanAccuracy: number;
  mIoU: number;
  fwIoU: number;
  /** IoU per class; ABSENT_CLASS_IOU (-1) where the class is in neither ground truth nor prediction. */
  perClassIoU: number[];
}

/**
 * Counts (label, prediction) pairs into a row-major numClasses x numClasses matrix (rows: true
 * class, columns: predicted class), skipping pixels whose label is `ignoreIndex` or out of range.
 * @param into a matrix to add to (default: a new zero one)
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
  ignoreIndex = 255,
  into: Float64Array = new Float64Array(numClasses * numClasses),
): Float64Array {
  if (labels.length !== predictions.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    if (t === ignoreIndex || t < 0 || t >= numClasses) continue;
    const p = predictions[i];
    if (p < 0 || p >= numClasses) throw new Error(`confusionMatrix: prediction ${p} at ${i} is outside 0..${numClasses - 1}`);
    into[t * numClasses + p]++;
  }
  return into;
}

/**
 * The FCN / VOC scores of a row-major confusion matrix (rows: true class). A matrix with no
 * pixels at all scores 0 everywhere, with every class absent.
 */
export function segmentationScores(confusion: ArrayLike<number>, numClasses: number): SegmentationScores {
  if (confusion.length !== numClasses * numClasses) {
    throw new Error(`segmentationScores: a ${numClasses}-class matrix has ${numClasses * numClasses} cells, got ${confusion.length}`);
  }
  const k = numClasses;
  let total = 0;
  let correct = 0;
  const truth = new Float64Array(k);
  const predicted = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = confusion[i * k + j];
      truth[i] += v;
      predicted[j] += v;
      total += v;
    }
    correct += confusion[i * k + i];
  }
  let accSum = 0;
  let accCount = 0;
  let iouSum = 0;
  let iouCount = 0;
  let fw = 0;
  const perClassIoU: number[] = [];
  for (let i = 0; i < k; i++) {
    const hit = confusion[i * k + i];
    if (truth[i] > 0) {
      accSum += hit / truth[i];
      accCount++;
    }
    const union = truth[i] + predicted[i] - hit;
    if (union > 0) {
      const iou = hit / union;
      perClassIoU.push(iou);
      iouSum += iou;
      iouCount++;
      fw += truth[i] * iou;
    } else {
      perClassIoU.push(ABSENT_CLASS_IOU);
    }
  }
  return {
    pixelAccuracy: total > 0 ? correct / total : 0,
    meanAccuracy: accCount > 0 ? accSum / accCount : 0,
    mIoU: iouCount > 0 ? iouSum / iouCount : 0,
    fwIoU: total > 0 ? fw / total : 0,
    perClassIoU,
  };
}
