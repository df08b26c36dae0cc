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

const PALETTE = ['#2e86ab', '#e4572e', '#76b041', '#9b5de5', '#f4a259', '#555555', '#00a6a6', '#c1292e'];

export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** The line's colour; by default the palette's, in series order. */
  readonly color?: string;
}

export interface LineChartOptions {
  readonly xLabel: string;
  readonly yLabel?: string;
  /** The chart's accessible name. */
  readonly label?: string;
  /** Labelled x positions (severities, ε); by default every distinct x, thinned to at most 11. */
  readonly xTicks?: readonly { x: number; text: string }[];
  /** Top of the y axis: 1 for accuracies (the default), 'data' for a quantity without a bound (a loss). */
  readonly yMax?: number | 'data';
  readonly width?: number;
  readonly height?: number;
}

/** Lines over numeric x (severity, ε, epoch), y from 0 to `yMax`: fractions shown as percentages, other values as numbers. */
export function lineChart(series: readonly Series[], { xLabel, yLabel = 'top-1', label = `${yLabel} against ${xLabel}`, xTicks, yMax = 1, width = 420, height = 260 }: LineChartOptions): string {
  const left = 48, right = 130, top = 12, bottom = 40;
  const all = series.flatMap((s) => s.points);
  const ticksX = xTicks ?? defaultTicks([...new Set(all.map((p) => p.x))].sort((a, b) => a - b));
  const xs = [...ticksX.map((t) => t.x), ...all.map((p) => p.x)];
  const x0 = xs.length ? minOf(xs) : 0, x1 = xs.length ? maxOf(xs) : 1;
  const top1 = yMax === 'data' ? Math.max(1e-9, all.length ? maxOf(all.map((p) => p.y)) : 1) : yMax;
  const percent = yMax === 1;
  const show = (v: number) => (percent ? `${(100 * v).toFixed(1)}%` : v.toPrecision(3));
  const x = (v: number) => left + (x1 === x0 ? 0.5 : (v - x0) / (x1 - x0)) * (width - left - right);
  const y = (v: number) => top + (1 - v / top1) * (height - top - bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((t) => `<line x1="${left}" x2="${width - right}" y1="${y(t * top1)}" y2="${y(t * top1)}" stroke="#e5e5e5"/><text x="${left - 6}" y="${y(t * top1) + 4}" text-anchor="end">${percent ? `${t * 100}%` : (t * top1).toPrecision(2)}</text>`).join('');
  const ticks = ticksX.map((t) => `<text x="${x(t.x)}" y="${height - bottom + 16}" text-anchor="middle">${esc(t.text)}</text>`).join('');
  const lines = series.map((s, i) => {
    const colour = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    const dots = s.points.map((p) => `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${colour}"><title>${esc(s.name)}: ${show(p.y)}</title></circle>`).join('');
    const legend = `<rect x="${width - right + 10}" y="${top + i * 16}" width="10" height="10" fill="${colour}"/><text x="${width - right + 24}" y="${top + i * 16 + 9}">${esc(s.name)}</text>`;
    return `<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}${legend}`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="11" font-family="sans-serif" role="img" aria-label="${esc(label)}">${grid}${ticks}${lines}
<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text><text x="10" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 10 ${(top + height - bottom) / 2})">${esc(yLabel)}</text></svg>`;
}

/** Every x as its own tick, or (past 11) about ten evenly spaced ones with the last kept. */
function defaultTicks(xs: readonly number[]): { x: number; text: string }[] {
  const step = Math.ceil(xs.length / 10);
  return xs.filter((_, i) => step === 1 || i % step === 0 || i === xs.length - 1).map((v) => ({ x: v, text: String(v) }));
}

/** Heat map of values in [0,1] (rows x columns), each cell labelled with its percentage; colour scaled to the data's range. */
export function heatMap(rows: readonly string[], columns: readonly string[], value: (row: string, column: string) => number | null, label: string): string {
  const cell = 86, rowLabel = 150, head = 28;
  const values = rows.flatMap((r) => columns.map((c) => value(r, c))).filter((v): v is number => v !== null);
  const lo = values.length ? minOf(values) : 0, hi = values.length ? maxOf(values) : 1;
  const shade = (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 1; // 0 worst (red) .. 1 best (green)
    return `hsl(${Math.round(10 + 110 * t)},60%,${Math.round(72 - 12 * t)}%)`;
  };
  const header = columns.map((c, j) => `<text x="${rowLabel + j * cell + cell / 2}" y="${head - 10}" text-anchor="middle">${esc(c)}</text>`).join('');
  const body = rows.map((r, i) => `<text x="${rowLabel - 6}" y="${head + i * 30 + 19}" text-anchor="end">${esc(r)}</text>` + columns.map((c, j) => {
    const v = value(r, c);
    return `<rect x="${rowLabel + j * cell}" y="${head + i * 30}" width="${cell - 2}" height="28" fill="${v === null ? '#eee' : shade(v)}"><title>${esc(r)} + ${esc(c)}</title></rect><text x="${rowLabel + j * cell + cell / 2}" y="${head + i * 30 + 19}" text-anchor="middle">${v === null ? '–' : `${(100 * v).toFixed(1)}%`}</text>`;
  }).join('')).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${rowLabel + columns.length * cell}" height="${head + rows.length * 30 + 4}" font-size="11" font-family="sans-serif" role="img" aria-label="${esc(label)}">${header}${body}</svg>`;
}
