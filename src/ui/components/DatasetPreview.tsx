import { useEffect, useRef } from 'react';
import type { DatasetPreview as Preview, PreviewSample } from '../../store/types';

/** Writes size x size pixels of `src` (gray or RGB) into RGBA `dst` at column offset `x0`. */
function blit(dst: Uint8ClampedArray, dstWidth: number, src: Uint8Array, size: number, channels: number, x0: number): void {
  for (let p = 0; p < size * size; p++) {
    const o = ((Math.floor(p / size) * dstWidth) + x0 + (p % size)) * 4;
    for (let c = 0; c < 3; c++) dst[o + c] = src[p * channels + (channels === 1 ? 0 : c)];
    dst[o + 3] = 255;
  }
}

/** Blends each labelled pixel half-way towards its class colour (255 = ignore stays as it is). */
function overlay(dst: Uint8ClampedArray, mask: Uint8Array, palette: [number, number, number][]): void {
  for (let p = 0; p < mask.length; p++) {
    const color = palette[mask[p]];
    if (!color) continue;
    for (let c = 0; c < 3; c++) dst[p * 4 + c] = (dst[p * 4 + c] + color[c]) >> 1;
  }
}

function PreviewCanvas({ sample, preview }: { sample: PreviewSample; preview: Preview }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { size, channels, palette } = preview;
  const width = sample.target ? size * 2 : size;
  useEffect(() => {
    // No 2D context (a test DOM): the labels alone still say what was loaded.
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, size);
    blit(img.data, width, sample.image, size, channels, 0);
    if (sample.target) blit(img.data, width, sample.target, size, channels, size);
    if (sample.mask && palette) overlay(img.data, sample.mask, palette);
    ctx.putImageData(img, 0, 0);
  }, [sample, width, size, channels, palette]);
  return <canvas ref={ref} width={width} height={size} className={sample.target ? 'preview-pair' : undefined} />;
}

/** A grid of training samples as the model sees them, with labels; masks overlaid, pairs side by side. */
export function DatasetPreview({ preview }: { preview: Preview }) {
  if (preview.samples.length === 0) return null;
  return (
    <div className="dataset-preview" data-testid="dataset-preview" aria-label="training samples">
      {preview.samples.map((s, i) => (
        <figure key={i} title={s.label}>
          <PreviewCanvas sample={s} preview={preview} />
          <figcaption>{s.label}</figcaption>
        </figure>
      ))}
    </div>
  );
}
