import { memo, useEffect, useRef } from 'react';

export interface SampleCanvasProps {
  /** size x size RGBA. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
  size: number;
  /** What the picture is: image, truth, prediction (segment); input, output, target (translate). */
  kind: string;
  /** The arm whose output this is, for predictions and outputs. */
  arm?: string;
  sample: number;
  label: string;
}

/** One sample picture at its own resolution (putImageData), scaled up by CSS without smoothing. */
export const SampleCanvas = memo(function SampleCanvas({ pixels, size, kind, arm, sample, label }: SampleCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) ctx.putImageData(new ImageData(pixels, size, size), 0, 0);
  }, [pixels, size]);
  return (
    <canvas
      ref={ref}
      className="sample-canvas"
      width={size}
      height={size}
      data-testid="sample-canvas"
      data-kind={kind}
      data-arm={arm}
      data-sample={sample}
      role="img"
      aria-label={label}
      title={label}
    />
  );
});
