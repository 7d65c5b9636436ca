/**
 * Two-parameter loss surfaces for the landscape view. Each has its loss in plain numbers (for
 * contours and readouts), its minima and the settings it is shown with first; its gradient, in
 * TF.js ops, lives in gradients.ts so that drawing a surface does not load TF.js.
 */

export type SurfaceId = 'quadratic' | 'rosenbrock' | 'beale' | 'saddle' | 'noisy-bowl';
export type Point = [number, number];

export interface SurfaceDefaults {
  start: Point;
  /** SGD learning rate (plain, RG, Nesterov arms). */
  lr: number;
  /** Adam's learning rate: Adam's step does not scale with the gradient, so it needs its own. */
  adamLr: number;
  momentum: number;
  steps: number;
  /** Distance to the nearest minimum that counts as "there". */
  epsilon: number;
  /** Standard deviation of the Gaussian noise added to each gradient coordinate. */
  noise: number;
}

export interface Surface {
  id: SurfaceId;
  name: string;
  /** The formula as text, for the page and exports. */
  formula: string;
  /** One line on what the surface tests. */
  note: string;
  loss(x: number, y: number): number;
  domain: { x: Point; y: Point };
  /** Every global minimum (the saddle surface has two). */
  minima: Point[];
  minLoss: number;
  defaults: SurfaceDefaults;
}

/** Conditioning of the quadratic: curvature 1 along x, QUAD_B along y. */
export const QUAD_A = 1;
export const QUAD_B = 12;

const quadratic: Surface = {
  id: 'quadratic',
  name: 'Ill-conditioned quadratic',
  formula: `f = ½(${QUAD_A}·x² + ${QUAD_B}·y²)`,
  note: `Curvatures differ ${QUAD_B / QUAD_A}-fold: a step large enough for x makes y oscillate.`,
  loss: (x, y) => 0.5 * (QUAD_A * x * x + QUAD_B * y * y),
  domain: { x: [-3, 3], y: [-2, 2] },
  minima: [[0, 0]],
  minLoss: 0,
  defaults: { start: [-2.6, 1.4], lr: 0.15, adamLr: 0.1, momentum: 0.5, steps: 150, epsilon: 0.01, noise: 0 },
};

const rosenbrock: Surface = {
  id: 'rosenbrock',
  name: 'Rosenbrock',
  formula: 'f = (1 − x)² + 100·(y − x²)²',
  note: 'A narrow curved valley: easy to fall into, slow to follow to the minimum at (1, 1).',
  loss: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  domain: { x: [-2, 2], y: [-1, 3] },
  minima: [[1, 1]],
  minLoss: 0,
  defaults: { start: [-1.2, 1], lr: 0.001, adamLr: 0.1, momentum: 0.9, steps: 1500, epsilon: 0.05, noise: 0 },
};

/** Beale's constants c_k in (c_k − x + x·y^k)², k = 1..3. */
export const BEALE_C = [1.5, 2.25, 2.625];

const beale: Surface = {
  id: 'beale',
  name: 'Beale',
  formula: 'f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
  note: 'Flat plateaus and steep walls around a minimum at (3, 0.5).',
  loss: (x, y) => BEALE_C.reduce((s, c, i) => s + (c - x + x * y ** (i + 1)) ** 2, 0),
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
  minima: [[3, 0.5]],
  minLoss: 0,
  defaults: { start: [1, 1.5], lr: 0.002, adamLr: 0.05, momentum: 0.9, steps: 1000, epsilon: 0.05, noise: 0 },
};

const saddle: Surface = {
  id: 'saddle',
  name: 'Saddle',
  formula: 'f = ½x² − ½y² + ¼y⁴',
  note: 'A saddle at the origin between two minima at (0, ±1): starting near y = 0, how soon does a path escape?',
  loss: (x, y) => 0.5 * x * x - 0.5 * y * y + 0.25 * y ** 4,
  domain: { x: [-2, 2], y: [-1.6, 1.6] },
  minima: [
    [0, 1],
    [0, -1],
  ],
  minLoss: -0.25,
  defaults: { start: [-1.8, 0.002], lr: 0.1, adamLr: 0.05, momentum: 0.5, steps: 200, epsilon: 0.01, noise: 0 },
};

const noisyBowl: Surface = {
  id: 'noisy-bowl',
  name: 'Noisy bowl',
  formula: 'f = ½(x² + y²), gradient + N(0, σ²) per coordinate',
  note: 'A round bowl seen through stochastic gradients: the noise, not the shape, limits how close a path gets.',
  loss: (x, y) => 0.5 * (x * x + y * y),
  domain: { x: [-3, 3], y: [-2.25, 2.25] },
  minima: [[0, 0]],
  minLoss: 0,
  defaults: { start: [-2.5, 1.8], lr: 0.1, adamLr: 0.1, momentum: 0.5, steps: 200, epsilon: 0.15, noise: 1 },
};

/** Every surface, in the order the view lists them. */
export const SURFACES: readonly Surface[] = [quadratic, rosenbrock, beale, saddle, noisyBowl];

export const SURFACE_IDS: readonly SurfaceId[] = SURFACES.map((s) => s.id);

/** The surface with `id`. */
export function getSurface(id: SurfaceId): Surface {
  const s = SURFACES.find((x) => x.id === id);
  if (!s) throw new Error(`unknown surface "${id}"; allowed: ${SURFACE_IDS.join(' | ')}`);
  return s;
}

/** Euclidean distance from (x, y) to the nearest minimum of `surface`. */
export function distanceToMinimum(surface: Surface, x: number, y: number): number {
  let best = Infinity;
  for (const [mx, my] of surface.minima) best = Math.min(best, Math.hypot(x - mx, y - my));
  return best;
}
