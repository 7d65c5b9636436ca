import { type LegendEntry, renderSvgToPng, serializeChartSvg } from '../export/chartImage';
import { downloadBlob, toFileName } from '../export/download';

/** Downloads a drawn SVG figure as `<fileBase>.svg` or `.png`, with the lab's title and legend header. */
export async function exportSvgFigure(svg: SVGSVGElement, title: string, legend: readonly LegendEntry[], fileBase: string, kind: 'png' | 'svg'): Promise<void> {
  const out = serializeChartSvg(svg, title, legend);
  const name = toFileName(fileBase);
  if (kind === 'svg') downloadBlob(new Blob([out.text], { type: 'image/svg+xml' }), `${name}.svg`);
  else downloadBlob(await renderSvgToPng(out), `${name}.png`);
}

/** The message shown when an export fails. */
export function describeExportError(e: unknown): string {
  return `Export failed: ${e instanceof Error ? e.message : String(e)}`;
}
