/** Pascal VOC's colour map, shared by the built-in scenes and the segmentation parsers. */

/**
 * Class c's colour: c's bits spread over R, G and B from the top bit down, three at a time
 * (0 black, 1 dark red, 2 dark green, 3 olive, ...). Void (255) is cream, (224, 224, 192).
 */
export function vocColor(c: number): [number, number, number] {
  const rgb: [number, number, number] = [0, 0, 0];
  let id = c;
  for (let bit = 7; bit >= 0 && id > 0; bit--) {
    for (let ch = 0; ch < 3; ch++) rgb[ch] |= ((id >> ch) & 1) << bit;
    id >>= 3;
  }
  return rgb;
}

/** The VOC colour map for the first `n` classes (all 256 indices by default). */
export function vocColormap(n = 256): [number, number, number][] {
  return Array.from({ length: n }, (_, c) => vocColor(c));
}
