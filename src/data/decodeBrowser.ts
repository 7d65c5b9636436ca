/**
 * The browser decoder, for the worker: createImageBitmap and an OffscreenCanvas read every
 * format the browser knows (PNG, JPEG, GIF, BMP, WebP); masks go through the pure-JS PNG
 * decoder instead, because a canvas returns colours and a mask's meaning is its palette indices.
 */

import { decodePngImage } from './decodePng';
import { MAX_IMAGE_PIXELS, type ImageDecoder } from './image';
import { extensionOf } from './paths';

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
};

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

/** Decodes with the browser's own codecs; masks (indexed) with fast-png. */
export const decodeImageBrowser: ImageDecoder = async (bytes, fileName, opts) => {
  if (opts?.indexed) return decodePngImage(bytes, opts);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: MIME[extensionOf(fileName)] ?? 'application/octet-stream' });
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    if (width * height > MAX_IMAGE_PIXELS) throw new Error(`${width}x${height} is too large an image`);
    if (!canvas || !context) {
      canvas = new OffscreenCanvas(width, height);
      context = canvas.getContext('2d', { willReadFrequently: true });
      if (!context) throw new Error('this browser gives no 2D canvas in a worker');
    }
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.clearRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, width, height).data;
    return { width, height, data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) };
  } finally {
    bitmap.close();
  }
};
