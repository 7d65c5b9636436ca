/**
 * `builtin:labels2scenes`: street scenes paired with their colour-coded label maps, like
 * pix2pix's Cityscapes labels -> photo, drawn from a seed with no download and no canvas.
 * `a` is the label map in Cityscapes' colours; `b` is the scene rendered from the same layout:
 * a sky gradient with clouds, buildings with window grids, a road in perspective with lane
 * dashes and car shadows, sidewalks with paving joints, grass, trees, cars and people.
 *
 * The label map fixes the layout; what it leaves open (each building's, car's and shirt's
 * colour, the sky's tint, the clouds, the lit windows, the noise) is drawn per image, so the
 * L1 term alone can only learn the average and the adversarial term has something to add.
 * Each image comes from its own stream (seed, split, index): it does not depend on the counts
 * or on the other images. Colours are the mean of 2x2 samples per pixel below 64 px (one sample
 * from 64 px up); labels are the class at the pixel's centre.
 */

import type { PairDataset, PairSplit } from '../../engine/dataset';
import { hashInts, hashString, mix32, Rng } from '../../engine/rng';
import { hsvToRgb, mix, pick, scale, type Rgb, ValueNoise } from './raster';

/** Class names in label order. */
export const LABELS2SCENES_CLASSES: readonly string[] = ['sky', 'building', 'vegetation', 'terrain', 'road', 'sidewalk', 'car', 'person'];

/** Cityscapes' colours for the classes, in label order. */
export const LABELS2SCENES_PALETTE: readonly Rgb[] = [
  [70, 130, 180],
  [70, 70, 70],
  [107, 142, 35],
  [152, 251, 152],
  [128, 64, 128],
  [244, 35, 232],
  [0, 0, 142],
  [220, 20, 60],
];

const SKY = 0;
const BUILDING = 1;
const VEGETATION = 2;
const TERRAIN = 3;
const ROAD = 4;
const SIDEWALK = 5;
const CAR = 6;
const PERSON = 7;

/** Options of `generateLabels2Scenes`. */
export interface Labels2ScenesOptions {
  /** Image side in pixels, 16..128 (default 32). */
  size?: number;
  /** Training pairs (default 600). */
  trainCount?: number;
  /** Validation pairs (default 100). */
  testCount?: number;
  seed?: number;
}

const STREAM_KEY = hashString('labels2scenes');
const SQRT12 = Math.sqrt(12);
const SPLIT_KEYS = { train: 0, test: 1 } as const;

interface Building {
  x0: number;
  x1: number;
  top: number;
  colour: Rgb;
  cols: number;
  rowStep: number;
  litSalt: number;
  glass: Rgb;
}

interface Tree {
  x: number;
  base: number;
  crownY: number;
  radius: number;
  trunk: number;
  leaf: Rgb;
}

interface Car {
  cx: number;
  bottom: number;
  w: number;
  h: number;
  colour: Rgb;
}

interface Person {
  cx: number;
  foot: number;
  h: number;
  skin: Rgb;
  shirt: Rgb;
  trousers: Rgb;
}

/** One image's layout and look, drawn once; pixels are then pure functions of it. */
interface Scene {
  horizon: number;
  vx: number;
  skew: number;
  roadNear: number;
  roadFar: number;
  sidewalk: number;
  skyTop: Rgb;
  skyLow: Rgb;
  cloudiness: number;
  asphalt: Rgb;
  paving: Rgb;
  grass: Rgb;
  light: number;
  noise: Record<'cloudBig' | 'cloudSmall' | 'facade' | 'asphalt' | 'paving' | 'grassBig' | 'grassSmall' | 'leaves', ValueNoise>;
  buildings: Building[];
  trees: Tree[];
  /** Cars and people, far to near (painter's order). */
  things: ({ kind: 'car'; car: Car } | { kind: 'person'; person: Person })[];
}

function drawScene(rng: Rng): Scene {
  const horizon = rng.uniform(0.38, 0.55);
  const vx = rng.uniform(0.35, 0.65);
  const overcast = rng.next() < 0.25;
  const skyTop = overcast ? hsvToRgb(0.58, rng.uniform(0.05, 0.15), rng.uniform(0.6, 0.8)) : hsvToRgb(rng.uniform(0.55, 0.62), rng.uniform(0.45, 0.75), rng.uniform(0.65, 0.9));
  const scene: Scene = {
    horizon,
    vx,
    skew: rng.uniform(-0.35, 0.35),
    roadFar: rng.uniform(0.01, 0.03),
    roadNear: rng.uniform(0.8, 1.3),
    sidewalk: rng.uniform(0.15, 0.35),
    skyTop,
    skyLow: mix(skyTop, [1, 1, 1], rng.uniform(0.35, 0.6)),
    cloudiness: overcast ? rng.uniform(0.1, 0.3) : rng.uniform(0, 0.6),
    asphalt: hsvToRgb(rng.uniform(0, 1), rng.uniform(0, 0.08), rng.uniform(0.25, 0.4)),
    paving: hsvToRgb(rng.uniform(0.05, 0.12), rng.uniform(0.05, 0.2), rng.uniform(0.6, 0.78)),
    grass: hsvToRgb(rng.uniform(0.2, 0.3), rng.uniform(0.4, 0.65), rng.uniform(0.35, 0.6)),
    light: rng.uniform(0.85, 1.1),
    noise: {
      cloudBig: new ValueNoise(rng, 5),
      cloudSmall: new ValueNoise(rng, 14),
      facade: new ValueNoise(rng, 40),
      asphalt: new ValueNoise(rng, 60),
      paving: new ValueNoise(rng, 50),
      grassBig: new ValueNoise(rng, 18),
      grassSmall: new ValueNoise(rng, 60),
      leaves: new ValueNoise(rng, 30),
    },
    buildings: [],
    trees: [],
    things: [],
  };
  const facades: readonly [number, number, number][] = [
    [0, 0, 1],
    [0.09, 0.25, 1],
    [0.03, 0.55, 0.8],
    [0.11, 0.35, 0.9],
    [0.6, 0.1, 0.9],
  ];
  for (let x = rng.uniform(-0.1, 0); x < 1; ) {
    const w = rng.uniform(0.12, 0.35);
    if (rng.next() < 0.25) {
      x += rng.uniform(0.04, 0.12);
      continue;
    }
    const [hue, sat, val] = pick(rng, facades);
    scene.buildings.push({
      x0: x,
      x1: x + w,
      top: rng.uniform(0.04, horizon - 0.08),
      colour: hsvToRgb(hue, sat * rng.uniform(0.7, 1.2), val * rng.uniform(0.4, 0.8)),
      cols: 2 + rng.int(4),
      rowStep: rng.uniform(0.04, 0.07),
      litSalt: rng.next() < 0.4 ? rng.nextUint32() : 0,
      glass: hsvToRgb(rng.uniform(0.55, 0.65), rng.uniform(0.2, 0.45), rng.uniform(0.15, 0.35)),
    });
    x += w;
  }
  for (let n = rng.int(4); n > 0; n--) {
    const radius = rng.uniform(0.05, 0.13);
    const base = horizon + rng.uniform(0.01, 0.12);
    const trunkH = rng.uniform(0.04, 0.1);
    scene.trees.push({
      x: rng.next(),
      base,
      crownY: base - trunkH - radius * 0.7,
      radius,
      trunk: rng.uniform(0.012, 0.022),
      leaf: hsvToRgb(rng.uniform(0.22, 0.36), rng.uniform(0.5, 0.75), rng.uniform(0.22, 0.45)),
    });
  }
  scene.trees.sort((p, q) => p.base - q.base);
  const carColours: readonly Rgb[] = [
    [0.7, 0.08, 0.08],
    [0.1, 0.2, 0.6],
    [0.92, 0.92, 0.92],
    [0.6, 0.62, 0.65],
    [0.08, 0.08, 0.1],
    [0.9, 0.75, 0.1],
    [0.15, 0.4, 0.2],
  ];
  const things: { y: number; item: Scene['things'][number] }[] = [];
  for (let n = rng.int(4); n > 0; n--) {
    const bottom = rng.uniform(horizon + 0.06, 0.98);
    const depth = bottom - horizon;
    const w = depth * rng.uniform(0.9, 1.25);
    const car: Car = {
      cx: roadCentre(scene, bottom) + rng.uniform(-0.6, 0.6) * roadHalfWidth(scene, bottom),
      bottom,
      w,
      h: w * rng.uniform(0.5, 0.65),
      colour: scale(pick(rng, carColours), rng.uniform(0.85, 1.1)),
    };
    things.push({ y: bottom, item: { kind: 'car', car } });
  }
  const skins: readonly Rgb[] = [
    [0.95, 0.8, 0.65],
    [0.8, 0.6, 0.45],
    [0.55, 0.38, 0.25],
    [0.35, 0.24, 0.16],
  ];
  for (let n = rng.int(4); n > 0; n--) {
    const foot = rng.uniform(horizon + 0.04, 0.98);
    const half = roadHalfWidth(scene, foot);
    const side = rng.next() < 0.5 ? -1 : 1;
    const person: Person = {
      cx: roadCentre(scene, foot) + side * half * (1 + scene.sidewalk * rng.uniform(0.3, 0.7)),
      foot,
      h: (foot - scene.horizon) * rng.uniform(0.9, 1.2),
      skin: pick(rng, skins),
      shirt: hsvToRgb(rng.next(), rng.uniform(0.3, 0.9), rng.uniform(0.35, 0.95)),
      trousers: hsvToRgb(rng.uniform(0.55, 0.7), rng.uniform(0.1, 0.5), rng.uniform(0.1, 0.35)),
    };
    things.push({ y: foot, item: { kind: 'person', person } });
  }
  things.sort((p, q) => p.y - q.y);
  scene.things = things.map((t) => t.item);
  return scene;
}

function roadCentre(s: Scene, y: number): number {
  return s.vx + (y - s.horizon) * s.skew;
}

function roadHalfWidth(s: Scene, y: number): number {
  return s.roadFar + (y - s.horizon) * s.roadNear;
}

interface Hit {
  label: number;
  rgb: Rgb;
}

/** The car or person in front at (x, y), if any. */
function hitThing(s: Scene, x: number, y: number): Hit | null {
  for (let k = s.things.length - 1; k >= 0; k--) {
    const thing = s.things[k];
    if (thing.kind === 'car') {
      const c = thing.car;
      const u = (x - c.cx) / c.w;
      const v = (c.bottom - y) / c.h;
      const taper = (0.12 * (v - 0.55)) / 0.45;
      const body = Math.abs(u) < 0.5 && v >= 0 && v < 0.55;
      const cabin = v >= 0.55 && v < 1 && Math.abs(u) < 0.38 - taper;
      if (!body && !cabin) continue;
      // Squared distance to the nearer wheel's centre.
      const wheel = (Math.abs(u) - 0.3) ** 2 + (v - 0.12) ** 2;
      let rgb: Rgb;
      if (body && wheel < 0.13 ** 2) rgb = wheel < 0.06 ** 2 ? [0.55, 0.55, 0.55] : [0.06, 0.06, 0.06];
      else if (cabin && Math.abs(u) < 0.3 - taper && v < 0.92) rgb = mix([0.12, 0.15, 0.2], [0.5, 0.6, 0.7], (v - 0.55) * 1.5);
      else rgb = scale(c.colour, v > 0.4 && v < 0.55 ? 1.15 : 0.95);
      return { label: CAR, rgb };
    }
    const p = thing.person;
    const u = (x - p.cx) / p.h;
    const v = (p.foot - y) / p.h;
    const head = u * u + (v - 0.9) ** 2 < 0.09 ** 2;
    const torso = v >= 0.45 && v < 0.8 && Math.abs(u) < 0.14;
    const legs = v >= 0 && v < 0.45 && Math.abs(u) < 0.11 && Math.abs(u) > 0.015;
    if (head || torso || legs) return { label: PERSON, rgb: head ? p.skin : torso ? p.shirt : p.trousers };
  }
  return null;
}

function hitTree(s: Scene, x: number, y: number): Hit | null {
  for (let k = s.trees.length - 1; k >= 0; k--) {
    const t = s.trees[k];
    const dx = x - t.x;
    const dy = y - t.crownY;
    if (dx * dx + dy * dy < t.radius * t.radius) {
      const lightSide = 1 - 0.35 * Math.max(0, (dx + dy) / t.radius);
      return { label: VEGETATION, rgb: scale(t.leaf, (0.7 + 0.6 * s.noise.leaves.at(x, y)) * lightSide) };
    }
    if (Math.abs(dx) < t.trunk && y > t.crownY && y < t.base) return { label: VEGETATION, rgb: [0.33, 0.23, 0.14] };
  }
  return null;
}

function hitGround(s: Scene, x: number, y: number): Hit {
  const d = y - s.horizon;
  const off = Math.abs(x - roadCentre(s, y));
  const half = roadHalfWidth(s, y);
  // Perspective depth: equal steps of 1 / d are equal distances along the ground.
  const depth = 1 / (d + 0.02);
  if (off < half) {
    let rgb = scale(s.asphalt, 0.9 + 0.2 * s.noise.asphalt.at(x, y));
    if (off < 0.003 + 0.012 * d && depth % 1.2 < 0.6) rgb = [0.9, 0.9, 0.85];
    for (const thing of s.things) {
      if (thing.kind !== 'car') continue;
      const c = thing.car;
      const v = (c.bottom - y) / c.h;
      if (v < 0 && v > -0.12 && Math.abs((x - c.cx) / c.w) < 0.5) rgb = scale(rgb, 0.55);
    }
    return { label: ROAD, rgb };
  }
  if (off < half * (1 + s.sidewalk)) {
    const joint = (depth * 4) % 1 < 0.12 || (((off - half) / (half * s.sidewalk)) * 3) % 1 < 0.1;
    return { label: SIDEWALK, rgb: scale(s.paving, joint ? 0.82 : 0.95 + 0.1 * s.noise.paving.at(x, y)) };
  }
  const grass = 0.75 + 0.5 * s.noise.grassBig.at(x, y) * (0.6 + 0.4 * s.noise.grassSmall.at(x, y));
  return { label: TERRAIN, rgb: scale(s.grass, grass) };
}

function hitBuilding(s: Scene, x: number, y: number): Hit | null {
  for (const b of s.buildings) {
    if (x < b.x0 || x >= b.x1 || y < b.top) continue;
    const u = (x - b.x0) / (b.x1 - b.x0);
    const v = y - b.top;
    const cu = (u * b.cols) % 1;
    const cv = (v / b.rowStep) % 1;
    const row = Math.floor(v / b.rowStep);
    if (cu > 0.22 && cu < 0.78 && cv > 0.3 && cv < 0.8 && row > 0) {
      const lit = b.litSalt !== 0 && mix32(hashInts(b.litSalt, Math.floor(u * b.cols), row)) % 5 === 0;
      return { label: BUILDING, rgb: lit ? [0.95, 0.85, 0.5] : mix(b.glass, [0.6, 0.7, 0.8], 0.3 * (1 - v / (s.horizon - b.top))) };
    }
    const edge = u < 0.06 ? 0.8 : 1;
    return { label: BUILDING, rgb: scale(b.colour, edge * (0.92 + 0.16 * s.noise.facade.at(x, y))) };
  }
  return null;
}

function hitSky(s: Scene, x: number, y: number): Hit {
  const rgb = mix(s.skyTop, s.skyLow, Math.min(1, y / s.horizon));
  const cloud = s.noise.cloudBig.at(x * 0.6, y * 1.6) * 0.7 + s.noise.cloudSmall.at(x, y) * 0.3;
  const t = Math.min(1, (cloud - (1 - s.cloudiness)) * 4);
  return { label: SKY, rgb: t > 0 ? mix(rgb, [0.97, 0.97, 0.97], t) : rgb };
}

/** The class and colour at point (x, y) of the unit square: the nearest layer that covers it. */
function shade(s: Scene, x: number, y: number): Hit {
  const hit = hitThing(s, x, y) ?? hitTree(s, x, y) ?? (y >= s.horizon ? hitGround(s, x, y) : (hitBuilding(s, x, y) ?? hitSky(s, x, y)));
  return { label: hit.label, rgb: scale(hit.rgb, s.light) };
}

function renderPair(rng: Rng, size: number, a: Uint8Array, b: Uint8Array, offset: number): void {
  const scene = drawScene(rng);
  const sub = size < 64 ? 2 : 1;
  const noise = rng.uniform(0.005, 0.02);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const i = offset + (py * size + px) * 3;
      const { label } = shade(scene, (px + 0.5) / size, (py + 0.5) / size);
      const colour = LABELS2SCENES_PALETTE[label];
      a[i] = colour[0];
      a[i + 1] = colour[1];
      a[i + 2] = colour[2];
      const sum: Rgb = [0, 0, 0];
      for (let sy = 0; sy < sub; sy++) {
        for (let sx = 0; sx < sub; sx++) {
          const { rgb } = shade(scene, (px + (sx + 0.5) / sub) / size, (py + (sy + 0.5) / sub) / size);
          for (let ch = 0; ch < 3; ch++) sum[ch] += rgb[ch];
        }
      }
      for (let ch = 0; ch < 3; ch++) {
        // Uniform noise of standard deviation `noise` (a Gaussian's log and cos cost more than the rest of the pixel).
        const v = sum[ch] / (sub * sub) + noise * SQRT12 * (rng.next() - 0.5);
        b[i + ch] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  }
}

function generateSplit(seed: number, split: keyof typeof SPLIT_KEYS, n: number, size: number): PairSplit {
  const pixels = size * size * 3;
  const a = new Uint8Array(n * pixels);
  const b = new Uint8Array(n * pixels);
  for (let i = 0; i < n; i++) renderPair(Rng.stream(seed, 'dataset', STREAM_KEY, SPLIT_KEYS[split], i), size, a, b, i * pixels);
  return { a, b, n };
}

/** Builds the dataset: label maps (a) and the scenes rendered from them (b), at `size` pixels. */
export function generateLabels2Scenes(opts: Labels2ScenesOptions = {}): PairDataset {
  const size = opts.size ?? 32;
  if (!Number.isInteger(size) || size < 16 || size > 128) throw new Error(`labels2scenes: size must be an integer from 16 to 128, got ${size}`);
  const seed = opts.seed ?? 0;
  return {
    kind: 'translate',
    name: 'labels2scenes',
    height: size,
    width: size,
    channels: 3,
    train: generateSplit(seed, 'train', opts.trainCount ?? 600, size),
    test: generateSplit(seed, 'test', opts.testCount ?? 100, size),
  };
}
