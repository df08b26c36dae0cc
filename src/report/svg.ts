// Small SVG charts for self-contained HTML reports (no scripts, no network).
import type { ReliabilityBin } from '../metrics/classification.js';
import { maxOf, minOf } from '../util/array.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Reliability diagram: per-bin accuracy bars against the diagonal of perfect calibration. */
export function reliabilityDiagram(bins: readonly ReliabilityBin[], size = 320): string {
  const pad = 40;
  const inner = size - 2 * pad;
  const x = (v: number) => pad + v * inner;
  const y = (v: number) => size - pad - v * inner;
  const bars = bins
    .filter((b) => b.count > 0)
    .map((b) => {
      const w = (b.upper - b.lower) * inner;
      const gap = `<rect x="${x(b.lower)}" y="${y(Math.max(b.accuracy, b.confidence))}" width="${w}" height="${Math.abs(b.accuracy - b.confidence) * inner}" fill="#e4572e" fill-opacity="0.35"/>`;
      return `<rect x="${x(b.lower)}" y="${y(b.accuracy)}" width="${w}" height="${b.accuracy * inner}" fill="#2e86ab" stroke="#fff"><title>confidence ${b.lower.toFixed(2)}–${b.upper.toFixed(2)}: accuracy ${(100 * b.accuracy).toFixed(1)}%, mean confidence ${(100 * b.confidence).toFixed(1)}%, n=${b.count}</title></rect>${gap}`;
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<text x="${x(t)}" y="${size - pad + 16}" text-anchor="middle">${t}</text><text x="${pad - 8}" y="${y(t) + 4}" text-anchor="end">${t}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" font-size="11" font-family="sans-serif" role="img" aria-label="reliability diagram">
<rect x="${pad}" y="${pad}" width="${inner}" height="${inner}" fill="#f7f7f7" stroke="#999"/>${bars}
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#333" stroke-dasharray="4 3"/>${ticks}
<text x="${size / 2}" y="${size - 6}" text-anchor="middle">confidence</text>
<text x="12" y="${size / 2}" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">accuracy</text></svg>`;
}

/** Horizontal bar chart of values in [0,1] with labels. */
export function barChart(items: readonly { label: string; value: number }[], width = 420): string {
  const row = 18;
  const labelWidth = 130;
  const inner = width - labelWidth - 50;
  const height = items.length * row + 10;
  const bars = items
    .map((it, i) => {
      const yy = 5 + i * row;
      return `<text x="${labelWidth - 6}" y="${yy + 12}" text-anchor="end">${esc(it.label)}</text><rect x="${labelWidth}" y="${yy + 2}" width="${Math.max(0, it.value) * inner}" height="${row - 5}" fill="#2e86ab"/><text x="${labelWidth + Math.max(0, it.value) * inner + 4}" y="${yy + 12}">${(100 * it.value).toFixed(1)}%</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="11" font-family="sans-serif" role="img" aria-label="bar chart">${bars}</svg>`;
}

export { esc as escapeHtml };

/** Line chart of one or more series over a shared x axis (e.g. training curves per epoch); y from 0 to the largest value. */
export function lineChart(series: readonly { label: string; color: string; points: readonly { x: number; y: number }[] }[], options: { width?: number; height?: number; xLabel: string; yLabel: string; yMax?: number }): string {
  const width = options.width ?? 420;
  const height = options.height ?? 240;
  const pad = { left: 48, right: 12, top: 12, bottom: 36 };
  const all = series.flatMap((s) => s.points);
  const xMin = minOf(all.map((p) => p.x));
  const xMax = Math.max(xMin + 1, maxOf(all.map((p) => p.x)));
  const yMax = options.yMax ?? Math.max(1e-9, maxOf(all.map((p) => p.y)));
  const x = (v: number) => pad.left + ((v - xMin) / (xMax - xMin)) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);
  const lines = series.map((s, i) => `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}"/><text x="${width - pad.right}" y="${pad.top + 12 * (i + 1)}" text-anchor="end" fill="${s.color}">${esc(s.label)}</text>`).join('');
  const ticks = [0, 0.5, 1].map((t) => `<text x="${pad.left - 4}" y="${y(t * yMax) + 4}" text-anchor="end">${(t * yMax).toPrecision(2)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="11" font-family="sans-serif" role="img" aria-label="line chart">
<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#ccc"/>${ticks}${lines}
<text x="${(width + pad.left) / 2}" y="${height - 8}" text-anchor="middle">${esc(options.xLabel)} ${xMin}–${xMax}</text>
<text x="12" y="${height / 2}" text-anchor="middle" transform="rotate(-90 12 ${height / 2})">${esc(options.yLabel)}</text></svg>`;
}
