// A self-contained HTML report of one stored run: metrics, calibration, per-class accuracy and a grid
// of the images the model saw (after its own resize and crop) with its predictions.
import { readFile } from 'node:fs/promises';
import { sharp } from '../util/native.js';
import type { ResultStore, SampleRecord } from '../store/store.js';
import type { Dataset } from '../data/dataset.js';
import { decodeImage } from '../data/decode.js';
import { resizeAndCrop } from '../data/preprocess.js';
import { modelResizer } from '../data/resize.js';
import type { ModelMetadata } from '../model/metadata.js';
import { reliabilityBins } from '../metrics/classification.js';
import { barChart, escapeHtml, reliabilityDiagram } from './svg.js';
import { Rng } from '../util/rng.js';
import { formatHeadlineMetrics, runHeadline } from './headline.js';
import { trainingSection } from './training.js';
import { runSettings } from './run-settings.js';

export interface ReportInput {
  readonly store: ResultStore;
  readonly runId: string;
  readonly dataset: Dataset;
  readonly metadata: ModelMetadata;
  /** How many sample images to show (a seeded pick, half of them mistakes where there are enough). */
  readonly gridSize?: number;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(2)}%`);

async function thumbnail(path: string, metadata: ModelMetadata): Promise<string> {
  const image = await resizeAndCrop(await decodeImage(await readFile(path), path), metadata, modelResizer(metadata.interpolation));
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function pickGrid(records: SampleRecord[], size: number, seed: number): SampleRecord[] {
  const ok = records.filter((r) => r.status === 'ok');
  const rng = new Rng(seed);
  const wrong = rng.shuffle(ok.filter((r) => r.top5?.[0] !== r.label));
  const right = rng.shuffle(ok.filter((r) => r.top5?.[0] === r.label));
  const mistakes = wrong.slice(0, Math.min(wrong.length, Math.floor(size / 2)));
  return [...mistakes, ...right.slice(0, size - mistakes.length)].sort((a, b) => (a.sampleId < b.sampleId ? -1 : 1));
}

export async function renderRunReport(input: ReportInput): Promise<string> {
  const { store, runId, dataset, metadata } = input;
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the store`);
  const metrics = store.metrics(runId);
  const noises = [...new Set(metrics.map((m) => m.noise))];
  const metric = (noise: string, name: string) => metrics.find((m) => m.noise === noise && m.name === name)?.value;
  // Calibration, per-class bars and the grid describe the clean condition when the run has one.
  const firstNoise = noises.includes('clean') ? 'clean' : noises.find((n) => n !== '*') ?? 'clean';
  const records = store.records(runId, firstNoise);
  const ok = records.filter((r) => r.status === 'ok');
  const bins = reliabilityBins(ok.map((r) => ({ label: r.label, top5: r.top5 ?? [], confidence: r.confidence ?? 0, trueProbability: r.trueProbability ?? 0 })));
  const className = (i: number) => metadata.labels?.[i] ?? dataset.classes[i] ?? String(i);

  const perClass = new Map<number, { n: number; correct: number }>();
  for (const r of ok) {
    const c = perClass.get(r.label) ?? { n: 0, correct: 0 };
    c.n++;
    if (r.top5?.[0] === r.label) c.correct++;
    perClass.set(r.label, c);
  }
  const classBars = [...perClass].sort((a, b) => a[0] - b[0]).map(([label, c]) => ({ label: className(label), value: c.correct / c.n }));

  const pathOf = new Map(dataset.samples.map((s) => [s.id, s.path]));
  const grid = pickGrid(records, input.gridSize ?? 40, run.seed);
  const tiles = await Promise.all(
    grid.map(async (r) => {
      const path = pathOf.get(r.sampleId);
      const src = path ? await thumbnail(path, metadata).catch(() => '') : '';
      const predicted = r.top5?.[0] ?? -1;
      const correct = predicted === r.label;
      return `<figure class="${correct ? 'ok' : 'bad'}"><img src="${src}" alt="${escapeHtml(r.sampleId)}" title="${escapeHtml(r.sampleId)}"><figcaption>${escapeHtml(className(predicted))} ${pct(r.confidence)}${correct ? '' : `<br><small>true: ${escapeHtml(className(r.label))}</small>`}</figcaption></figure>`;
    }),
  );

  const names = [...new Set(metrics.filter((m) => m.noise !== '*').map((m) => m.name))];
  const fmt = (name: string, v: number | null | undefined) => (['top1', 'top5', 'ece'].includes(name) ? pct(v) : v === null || v === undefined ? '–' : ['count', 'skipped'].includes(name) ? String(v) : v.toFixed(4));
  const metricRows = noises
    .filter((n) => n !== '*')
    .map((n) => `<tr><td>${escapeHtml(n)}</td>${names.map((name) => `<td>${fmt(name, metric(n, name))}</td>`).join('')}</tr>`)
    .join('');
  const suiteRows = metrics.filter((m) => m.noise === '*').map((m) => `<tr><td>${escapeHtml(m.name)}</td><td>${m.value === null ? '–' : m.value.toFixed(4)}</td></tr>`).join('');
  const settingRows = runSettings(run).map((l) => `<tr><td>${escapeHtml(l.label)}</td><td class="setting">${escapeHtml(l.text)}</td></tr>`).join('');
  const headline = runHeadline(run.suite, metrics);
  const headlineText = [...(headline.cleanTop1 !== undefined ? [`clean top-1 ${pct(headline.cleanTop1)}`] : []), ...(headline.suiteMetrics.length > 0 ? [escapeHtml(formatHeadlineMetrics(headline.suiteMetrics))] : [])].join(' · ') || `top-1 ${pct(metric(firstNoise, 'top1'))}`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>robustart report: ${escapeHtml(run.modelName)} (${escapeHtml(run.suite)})</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.25em .7em;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}
.headline{font-size:2.2em;font-weight:600}.meta{color:#555;font-size:.9em}
.charts{display:flex;gap:3em;flex-wrap:wrap;align-items:flex-start}
.grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;width:96px;text-align:center;font-size:11px}
td.setting{text-align:left}
figure img{width:96px;height:96px;image-rendering:pixelated;border:3px solid #3a3}figure.bad img{border-color:#d33}
</style></head><body>
<h1>robustart: ${escapeHtml(run.modelName)} on ${escapeHtml(dataset.root)}</h1>
<p class="headline">${headlineText}</p>
<p class="meta">run ${run.id} · suite ${escapeHtml(run.suite)} · ${ok.length} images (${records.length - ok.length} skipped) · seed ${run.seed} · ${Object.entries(run.versions).map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(v)}`).join(' · ')} · ${escapeHtml(run.updatedAt)}</p>
${settingRows ? `<h2>Settings</h2><table>${settingRows}</table>` : ''}
<h2>Metrics</h2>
<table><tr><th>condition</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>${metricRows}</table>
${suiteRows ? `<h2>Suite metrics</h2><table>${suiteRows}</table>` : ''}
<h2>Calibration and per-class accuracy (${escapeHtml(firstNoise)})</h2>
<div class="charts"><div>${reliabilityDiagram(bins)}<p class="meta">ECE (15 bins) ${pct(metric(firstNoise, 'ece'))}; blue: accuracy per confidence bin, red: gap to the diagonal.</p></div><div>${barChart(classBars)}</div></div>
${trainingSection(store, run)}
<h2>Sample predictions</h2>
<p class="meta">What the model saw (after resize and center crop), with its top prediction and confidence; red borders are mistakes (up to half the grid is drawn from them).</p>
<div class="grid">${tiles.join('')}</div>
</body></html>
`;
}
