/**
 * The Node decoder for the headless runner and tests: PNG through fast-png, JPEG through
 * jpeg-js, both pure JavaScript. Other formats (GIF, BMP, WebP) are reported as unreadable,
 * so those files are skipped and counted; the browser decoder reads them.
 */

import jpeg from 'jpeg-js';
import { decodePngImage } from './decodePng';
import type { DecodedImage, ImageDecoder } from './image';
import { extensionOf } from './paths';
import { errorMessage } from '../engine/errors';

const JPEG_MAX_MEGAPIXELS = 64;
const JPEG_MAX_MEMORY_MB = 1024;

function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** Decodes PNG and JPEG (told apart by content, not name). */
export const decodeImageNode: ImageDecoder = async (bytes, fileName, opts) => {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50) return decodePngImage(bytes, opts);
  if (isJpeg(bytes)) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: JPEG_MAX_MEGAPIXELS,
        maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
      });
    } catch (e) {
      throw new Error(`corrupt or truncated JPEG (${errorMessage(e)})`);
    }
    const out: DecodedImage = { width: img.width, height: img.height, data: img.data };
    return out;
  }
  const ext = extensionOf(fileName);
  if (ext === 'gif' || ext === 'bmp' || ext === 'webp') throw new Error(`the headless runner reads PNG and JPEG only, not ${ext.toUpperCase()}`);
  throw new Error('not a PNG or JPEG file');
};
