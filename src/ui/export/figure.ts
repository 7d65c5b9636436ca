import { errorMessage } from '../../engine/errors';
import { type LegendEntry, renderSvgToPng, serializeChartSvg } from './chartImage';
import { downloadBlob, toFileName } from './download';

/** Downloads a drawn SVG figure as `<fileBase>.svg` or `.png`, with the lab's title, legend header and caption lines. */
export async function exportSvgFigure(
  svg: SVGSVGElement,
  title: string,
  legend: readonly LegendEntry[],
  fileBase: string,
  kind: 'png' | 'svg',
  caption: readonly string[] = [],
): Promise<void> {
  const out = serializeChartSvg(svg, title, legend, caption);
  const name = toFileName(fileBase);
  if (kind === 'svg') downloadBlob(new Blob([out.text], { type: 'image/svg+xml' }), `${name}.svg`);
  else downloadBlob(await renderSvgToPng(out), `${name}.png`);
}

/** The message shown when an export fails. */
export function describeExportError(e: unknown): string {
  return `Export failed: ${errorMessage(e)}`;
}
