/**
 * PNG encoding for fixtures: 8-bit RGB, RGBA, greyscale and palette images, through fast-png
 * (the lab's PNG decoder too). Palette and greyscale PNGs are how segmentation masks store
 * class indices.
 */

import { encode } from 'fast-png';

export type PngColor = 'rgb' | 'rgba' | 'gray' | 'palette';

const CHANNELS: Record<PngColor, number> = { gray: 1, rgb: 3, palette: 1, rgba: 4 };

export interface PngImage {
  width: number;
  height: number;
  /** width x height x channels bytes (channels: gray 1, rgb 3, palette 1 index, rgba 4). */
  data: Uint8Array;
  color: PngColor;
  /** Palette colours, for `palette` images. */
  palette?: [number, number, number][];
}

/** Encodes an 8-bit PNG. */
export function encodePngImage(img: PngImage): Uint8Array {
  const { width, height, data, color } = img;
  const channels = CHANNELS[color];
  if (data.length !== width * height * channels) throw new Error(`encodePngImage: ${data.length} bytes for ${width}x${height}x${channels}`);
  if (color !== 'palette') return encode({ width, height, data, channels, depth: 8 });
  const palette = img.palette ?? [];
  if (palette.length === 0 || palette.length > 256) throw new Error('encodePngImage: a palette image needs 1..256 colours');
  return encode({ width, height, data, channels, depth: 8, palette });
}

/** Encodes width x height RGB bytes as an 8-bit truecolour PNG. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return encodePngImage({ width, height, data: rgb, color: 'rgb' });
}
