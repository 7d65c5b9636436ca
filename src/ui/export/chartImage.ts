/**
 * Chart pictures: the recharts SVG cloned with its computed styles written inline (so it looks
 * the same outside the page), a title and a legend added on top; PNG by drawing that SVG onto
 * a canvas at twice the size.
 */

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
];

const HEADER = 30;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** One legend entry of an exported chart. */
export interface LegendEntry {
  name: string;
  color: string;
}

export interface ChartSvg {
  text: string;
  width: number;
  height: number;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inlineStyles(source: Element, target: Element): void {
  const src = [source, ...source.querySelectorAll('*')];
  const dst = [target, ...target.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
    dst[i].setAttribute('style', style);
    dst[i].removeAttribute('class');
  });
}

const CAPTION_LINE = 13;

/** Caption lines cut to what fits `width` (about 5.6 px a character at 10 px). */
function wrapCaption(lines: readonly string[], width: number): string[] {
  const max = Math.max(20, Math.floor((width - 24) / 5.6));
  return lines.flatMap((line) => {
    const out: string[] = [];
    let rest = line;
    while (rest.length > max) {
      const cut = rest.lastIndexOf(' ', max);
      const at = cut > max / 2 ? cut : max;
      out.push(rest.slice(0, at));
      rest = rest.slice(at).trimStart();
    }
    out.push(rest);
    return out;
  });
}

/** A standalone SVG of a rendered chart, with `title` and a legend above it and the `caption` lines (the config) below. */
export function serializeChartSvg(svg: SVGSVGElement, title: string, legend: readonly LegendEntry[], caption: readonly string[] = []): ChartSvg {
  const box = svg.getBoundingClientRect();
  const width = Math.round(box.width) || Number(svg.getAttribute('width')) || 600;
  const chartHeight = Math.round(box.height) || Number(svg.getAttribute('height')) || 300;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, clone);
  clone.setAttribute('x', '0');
  clone.setAttribute('y', String(HEADER));
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(chartHeight));
  const captionLines = wrapCaption(caption, width);
  const height = chartHeight + HEADER + (captionLines.length ? captionLines.length * CAPTION_LINE + 8 : 0);
  const captionParts = captionLines.map(
    (l, i) => `<text x="12" y="${chartHeight + HEADER + 4 + (i + 1) * CAPTION_LINE}" font-size="10" font-family="sans-serif" fill="#52606d">${escapeXml(l)}</text>`,
  );
  let x = 12 + title.length * 7.5 + 24;
  const legendParts = legend.map((l) => {
    const part = `<rect x="${x}" y="11" width="14" height="4" fill="${escapeXml(l.color)}"/><text x="${x + 18}" y="17" font-size="12" font-family="sans-serif" fill="#323f4b">${escapeXml(l.name)}</text>`;
    x += 18 + l.name.length * 7 + 18;
    return part;
  });
  const inner = new XMLSerializer().serializeToString(clone);
  const text =
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="12" y="19" font-size="14" font-weight="600" font-family="sans-serif" fill="#1f2933">${escapeXml(title)}</text>` +
    legendParts.join('') +
    inner +
    captionParts.join('') +
    `</svg>`;
  return { text, width, height };
}

/** Rasterises an SVG to a PNG blob at `scale` times its size. */
export async function renderSvgToPng(svg: ChartSvg, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = svg.width * scale;
    canvas.height = svg.height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, svg.width, svg.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
