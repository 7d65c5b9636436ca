import { expect, it } from 'vitest';
import { holm } from './holm';

it("matches R's p.adjust(method = 'holm')", () => {
  // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
  const a = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 12));
  // monotone and capped: p.adjust(c(0.5, 0.2, 0.9), "holm") = 1 0.6 1
  const b = holm([0.5, 0.2, 0.9]);
  [1, 0.6, 1].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
  expect(holm([0.02])).toEqual([0.02]);
  expect(holm([])).toEqual([]);
});
