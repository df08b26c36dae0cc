// The demo's one self-contained HTML report: per model, accuracy against severity per corruption group, robust
// accuracy against ε per attack, the decoder x resizer heat map and one sample as the model saw it under each noise;
// across models, the side-by-side table and where each is stronger. Every number comes from the stored runs and names
// its protocol and subset size. The sample images are recomputed through the suites' own conditions with the run's
// seed, so they are the images the stored predictions were made on.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { MetricRow, ResultStore, SampleRecord } from '../store/store.js';
import type { DemoModel, DemoRun, DemoSummary } from '../eval/demo.js';
import { demoReading, metricOf, strongest } from '../eval/demo.js';
import { decodeImage } from '../data/decode.js';
import { resizeAndCrop } from '../data/preprocess.js';
import { modelResizer } from '../data/resize.js';
import { toFloatImage, writeChw, type FloatImage, type RgbImage } from '../data/image.js';
import { getCorruption } from '../noise/natural/registry.js';
import { naturalConditions, resolveNaturalOptions } from '../eval/suites/natural.js';
import { checkCorruptionVariants } from '../noise/natural/types.js';
import { adversarialSettings } from '../eval/suites/adversarial.js';
import { attackConditions, conditionName } from '../noise/adversarial/conditions.js';
import { createDifferentiableClassifier } from '../autodiff/classifier.js';
import { decodeAndResize } from '../eval/batch-images.js';
import { decoderByName } from '../noise/system/decoders/index.js';
import { resizerByName } from '../noise/system/resizers/index.js';
import { COMBINATION_SEPARATOR } from '../eval/suites/system.js';
import { hashString, rngFor, Rng } from '../util/rng.js';
import { escapeHtml as esc, heatMap, lineChart, type Series } from './svg.js';
import { runSettings } from './run-settings.js';

export interface DemoReportInput {
  readonly store: ResultStore;
  readonly demos: readonly DemoModel[];
  readonly summaries: readonly DemoSummary[];
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)}%`);
const GROUPS = ['noise', 'blur', 'weather', 'digital'] as const;

function runLabel(r: DemoRun): string {
  return `${r.family} · ${esc(r.protocol)} · n=${r.samples} · run ${r.run.id}`;
}

/** Mean top-1 per corruption group and severity (0 = clean), from the natural run's per-condition metrics. */
function severitySeries(rows: readonly MetricRow[]): { series: Series[]; severities: number[] } {
  const clean = metricOf(rows, 'clean', 'top1');
  const byGroup = new Map<string, Map<number, number[]>>();
  const severities = new Set<number>();
  for (const m of rows) {
    const match = /^([a-z_]+)\/([1-5])$/.exec(m.noise);
    if (!match || m.name !== 'top1' || m.value === null) continue;
    const group = getCorruption(match[1]).group;
    const s = Number(match[2]);
    severities.add(s);
    const g = byGroup.get(group) ?? new Map<number, number[]>();
    byGroup.set(group, g);
    (g.get(s) ?? g.set(s, []).get(s)!).push(m.value);
  }
  const series = GROUPS.filter((g) => byGroup.has(g)).map((g) => ({
    name: g,
    points: [...(clean === null ? [] : [{ x: 0, y: clean }]), ...[...byGroup.get(g)!].sort((a, b) => a[0] - b[0]).map(([x, v]) => ({ x, y: v.reduce((a, b) => a + b, 0) / v.length }))],
  }));
  return { series, severities: [...severities].sort((a, b) => a - b) };
}

/** Robust accuracy per attack against ε (ε = 0: clean accuracy on the protocol's subset). */
function epsilonSeries(run: DemoRun, rows: readonly MetricRow[]): { series: Series[]; ticks: { x: number; text: string }[] } {
  const settings = adversarialSettings(run.run.config.suiteOptions as Record<string, unknown>);
  const clean = metricOf(rows, '*', 'clean_accuracy');
  const ticks = new Map<number, string>([[0, '0']]);
  const series: Series[] = [];
  for (const plan of settings.plans) {
    const points = [...(clean === null ? [] : [{ x: 0, y: clean }])];
    for (const eps of plan.epsilons) {
      const name = conditionName(plan.attack, plan.norm, eps);
      const v = metricOf(rows, '*', `robust_accuracy/${name}`);
      if (v === null) continue;
      points.push({ x: eps, y: v });
      ticks.set(eps, name.split('/').slice(2).join('/'));
    }
    series.push({ name: `${plan.attack}-${plan.norm}`, points });
  }
  return { series, ticks: [...ticks].sort((a, b) => a[0] - b[0]).map(([x, text]) => ({ x, text })) };
}

async function pngOf(image: RgbImage | FloatImage): Promise<string> {
  const data = image.data instanceof Uint8Array ? image.data : Uint8Array.from(image.data, (v) => (v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0));
  const png = await sharp(data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** CHW planes (the model's tensor) back to an interleaved float image. */
function fromChw(chw: Float32Array, width: number, height: number, map: (v: number) => number = (v) => v): FloatImage {
  const plane = width * height;
  const data = new Float32Array(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) data[p * 3 + c] = map(chw[c * plane + p]);
  return { width, height, data };
}

interface Tile { readonly title: string; readonly src: string; readonly record: SampleRecord | undefined }

/** One clean-correct sample (fooled by the attack where one is) under each noise, as the model saw it. */
async function sampleTiles(store: ResultStore, demo: DemoModel, summary: DemoSummary): Promise<{ tiles: Tile[]; sampleId: string } | undefined> {
  const { model, runs } = demo;
  const meta = model.metadata;
  const recordsOf = (run: DemoRun, noise: string) => new Map(store.records(run.run.id, noise).filter((r) => r.status === 'ok').map((r) => [r.sampleId, r]));
  const advClean = recordsOf(runs.adversarial, 'clean');
  const natClean = recordsOf(runs.natural, 'clean');
  const sysRows = store.metrics(runs.system.run.id).filter((m) => m.name === 'top1' && m.noise.includes(COMBINATION_SEPARATOR) && m.value !== null);
  const worstSystem = sysRows.reduce<MetricRow | undefined>((a, b) => (a === undefined || b.value! < a.value! ? b : a), undefined);
  const natRows = store.metrics(runs.natural.run.id).filter((m) => m.name === 'top1' && /\/[1-5]$/.test(m.noise) && m.value !== null);
  // The most damaging corruption at the middle severity shown.
  const middle = [...new Set(natRows.map((m) => Number(m.noise.split('/')[1])))].sort((a, b) => a - b);
  const severity = middle[Math.floor(middle.length / 2)];
  const corruption = natRows.filter((m) => m.noise.endsWith(`/${severity}`)).reduce<MetricRow | undefined>((a, b) => (a === undefined || b.value! < a.value! ? b : a), undefined);
  const attack = summary.arCondition;
  const adv = attack ? recordsOf(runs.adversarial, attack) : new Map<string, SampleRecord>();
  const sys = worstSystem ? recordsOf(runs.system, worstSystem.noise) : new Map<string, SampleRecord>();
  const correct = (r: SampleRecord | undefined) => r !== undefined && r.top5?.[0] === r.label;
  const fooled = (id: string) => adv.has(id) && !correct(adv.get(id));
  const rng = new Rng(runs.natural.run.seed);
  const pick = (ids: string[]) => { const f = ids.filter(fooled); const from = f.length ? f : ids; return from[rng.int(from.length)]; };
  const base = [...natClean.values()].filter((r) => correct(r) && sys.has(r.sampleId)).map((r) => r.sampleId).sort();
  const shared = base.filter((id) => correct(advClean.get(id)));
  if (base.length === 0) return undefined;
  const sampleId = pick(shared.length ? shared : base);
  // With a small limit the protocol's subset may not include this image: the attack tile then shows one of its own.
  const advId = adv.has(sampleId) ? sampleId : pick([...advClean.values()].filter(correct).map((r) => r.sampleId).sort());
  const sampleOf = (id: string) => demo.dataset.samples.find((s) => s.id === id)!;
  const modelView = async (id: string) => resizeAndCrop(await decodeImage(await readFile(sampleOf(id).path), id), meta, modelResizer(meta.interpolation));
  const sample = sampleOf(sampleId);
  const seen = await modelView(sampleId);
  const tiles: Tile[] = [{ title: 'clean', src: await pngOf(seen), record: natClean.get(sampleId) }];

  if (corruption) {
    const options = resolveNaturalOptions({ ...(runs.natural.run.config.suiteOptions as Record<string, unknown>), corruptions: corruption.noise.split('/')[0], severities: String(severity) });
    const condition = naturalConditions(options, runs.natural.run.seed, meta.input_size, checkCorruptionVariants(options.frost, options.elastic)).find((c) => c.name === corruption.noise);
    if (condition?.imageNoise) {
      const noisy = await condition.imageNoise.apply(toFloatImage(seen), rngFor(runs.natural.run.seed, hashString(condition.name), hashString(sampleId)));
      tiles.push({ title: `${corruption.noise} (worst at severity ${severity})`, src: await pngOf(noisy), record: recordsOf(runs.natural, corruption.noise).get(sampleId) });
    }
  }

  if (attack && advId !== undefined) {
    const settings = adversarialSettings(runs.adversarial.run.config.suiteOptions as Record<string, unknown>);
    const classifier = await createDifferentiableClassifier(model.pixelModelBytes);
    const condition = attackConditions(classifier, settings.plans).find((c) => c.name === attack);
    if (condition?.batchNoise) {
      const [, h, w] = meta.input_size;
      const images = new Float32Array(3 * h * w);
      writeChw(toFloatImage(advId === sampleId ? seen : await modelView(advId)), images, 0);
      const { images: adversarial } = await condition.batchNoise.apply({ images, labels: Int32Array.of(sampleOf(advId).label), sampleIds: [advId], seed: runs.adversarial.run.seed });
      let peak = 1e-12;
      for (let i = 0; i < images.length; i++) peak = Math.max(peak, Math.abs(adversarial[i] - images[i]));
      const delta = Float32Array.from(adversarial, (v, i) => v - images[i]);
      tiles.push({ title: `${attack}${advId === sampleId ? '' : ` (${advId})`}`, src: await pngOf(fromChw(adversarial, w, h)), record: adv.get(advId) });
      tiles.push({ title: `perturbation ×${(0.5 / peak).toFixed(0)}`, src: await pngOf(fromChw(delta, w, h, (v) => 0.5 + (0.5 * v) / peak)), record: undefined });
    }
  }

  if (worstSystem) {
    const [decoder, resizer] = worstSystem.noise.split(COMBINATION_SEPARATOR);
    const [image] = await decodeAndResize(sample.path, sampleId, decoderByName(decoder), [resizerByName(resizer)], meta);
    if (!(image instanceof Error)) tiles.push({ title: `${worstSystem.noise} (worst combination)`, src: await pngOf(image), record: sys.get(sampleId) });
  }
  return { tiles, sampleId };
}

function modelSection(store: ResultStore, demo: DemoModel, summary: DemoSummary, samples: Awaited<ReturnType<typeof sampleTiles>>, className: (i: number) => string): string {
  const { runs } = demo;
  const nat = store.metrics(runs.natural.run.id);
  const adv = store.metrics(runs.adversarial.run.id);
  const sys = store.metrics(runs.system.run.id);
  const severity = severitySeries(nat);
  const eps = epsilonSeries(runs.adversarial, adv);
  const combos = sys.filter((m) => m.name === 'top1' && m.noise.includes(COMBINATION_SEPARATOR));
  const decoders = [...new Set(combos.map((m) => m.noise.split(COMBINATION_SEPARATOR)[0]))];
  const resizers = [...new Set(combos.map((m) => m.noise.split(COMBINATION_SEPARATOR)[1]))];
  const tiles = samples?.tiles.map((t) => {
    const predicted = t.record?.top5?.[0];
    const ok = predicted === t.record?.label;
    const caption = t.record ? `${esc(className(predicted ?? -1))} ${pct(t.record.confidence)}` : 'amplified δ';
    return `<figure class="${t.record ? (ok ? 'ok' : 'bad') : 'delta'}"><img src="${t.src}" alt="${esc(t.title)}"><figcaption><b>${esc(t.title)}</b><br>${caption}</figcaption></figure>`;
  }).join('') ?? '<p>No sample is correct on clean images in every run.</p>';
  const id = esc(demo.model.name);
  return `<section class="model" data-model="${id}">
<h2>${id}</h2>
<p class="meta">clean top-1 ${pct(summary.cleanTop1)} (natural subset, n=${runs.natural.samples}) · AR ${pct(summary.ar)} ${esc(summary.arCondition ?? '')} · WCAR ${pct(summary.wcar)} (${esc(runs.adversarial.protocol)}, n=${runs.adversarial.samples}) · mean corruption error ${pct(summary.meanCorruptionError)} · NSD ${summary.nsd === null ? '–' : summary.nsd.toFixed(4)} (n=${runs.system.samples})</p>
<div class="charts">
<div class="plot" data-plot="severity"><h3>Accuracy against severity per corruption group</h3>${lineChart(severity.series, { xLabel: 'severity (0 = clean)', xTicks: [0, ...severity.severities].map((s) => ({ x: s, text: String(s) })), label: `${demo.model.name}: accuracy against severity` })}<p class="meta">${runLabel(runs.natural)}; mean top-1 over the group's corruptions</p></div>
<div class="plot" data-plot="epsilon"><h3>Robust accuracy against ε per attack</h3>${lineChart(eps.series, { xLabel: 'ε', yLabel: 'robust accuracy', xTicks: eps.ticks, label: `${demo.model.name}: robust accuracy against epsilon` })}<p class="meta">${runLabel(runs.adversarial)}; ε = 0 is clean accuracy on the same subset</p></div>
<div class="plot" data-plot="system"><h3>Decoder × resizer top-1</h3>${heatMap(decoders, resizers, (d, r) => metricOf(sys, `${d}${COMBINATION_SEPARATOR}${r}`, 'top1'), `${demo.model.name}: decoder by resizer heat map`)}<p class="meta">${runLabel(runs.system)}; colour from the worst (red) to the best (green) combination</p></div>
</div>
<h3>One image under each noise, as the model saw it</h3>
<p class="meta">sample ${esc(samples?.sampleId ?? '–')} (true class: ${samples ? esc(className(samples.tiles[0].record?.label ?? -1)) : '–'}); captions are the stored prediction and its confidence; red: wrong</p>
<div class="samples">${tiles}</div>
</section>`;
}

function comparison(input: DemoReportInput): string {
  const { demos, summaries } = input;
  const first = demos[0].runs;
  const wins = strongest(summaries);
  const cell = (key: keyof DemoSummary, s: DemoSummary, text: string) => `<td class="${wins[key] === s.model ? 'best' : ''}">${text}</td>`;
  const rows = summaries.map((s) => `<tr><td>${esc(s.model)}</td>${cell('cleanTop1', s, pct(s.cleanTop1))}${cell('ar', s, pct(s.ar))}${cell('wcar', s, pct(s.wcar))}${cell('meanCorruptionError', s, pct(s.meanCorruptionError))}${cell('nsd', s, s.nsd === null ? '–' : s.nsd.toFixed(4))}</tr>`).join('');
  return `<table class="summary"><tr><th>model</th><th>clean top-1<br><small>n=${first.natural.samples}</small></th><th>AR ${esc(summaries[0].arCondition ?? '')}<br><small>${esc(first.adversarial.protocol)}, n=${first.adversarial.samples}</small></th><th>WCAR ${esc(summaries[0].wcarBudget ?? '')}<br><small>${esc(first.adversarial.protocol)}, n=${first.adversarial.samples}</small></th><th>mean corruption error<br><small>${esc(first.natural.protocol)}, n=${first.natural.samples}</small></th><th>NSD<br><small>${esc(first.system.protocol)}, n=${first.system.samples}</small></th></tr>${rows}</table>
<p class="reading">${esc(demoReading(summaries))}</p>`;
}

/** What each noise family ran with (the same suites for every model): protocol, options and each condition's settings. */
function settingsSection(demo: DemoModel | undefined): string {
  if (!demo) return '';
  const rows = Object.values(demo.runs).flatMap((r) => runSettings(r.run).map((l) => `<tr><td>${esc(r.family)}</td><td>${esc(l.label)}</td><td class="setting">${esc(l.text)}</td></tr>`));
  return rows.length === 0 ? '' : `<section id="settings"><h2>Settings</h2><table>${rows.join('')}</table></section>`;
}

export async function renderDemoReport(input: DemoReportInput): Promise<string> {
  const sections: string[] = [];
  for (const [i, demo] of input.demos.entries()) {
    const labels = demo.model.metadata.labels;
    const className = (c: number) => labels?.[c] ?? demo.dataset.classes[c] ?? String(c);
    sections.push(modelSection(input.store, demo, input.summaries[i], await sampleTiles(input.store, demo, input.summaries[i]), className));
  }
  const quick = input.demos.some((d) => d.runs.adversarial.protocol === 'quick');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>robustart demo: ${input.demos.map((d) => esc(d.model.name)).join(', ')}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1300px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}h3{font-size:1em;margin:.4em 0}
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}
td.best{font-weight:700;background:#e8f5e1}td.setting{text-align:left}.meta{color:#555;font-size:.85em}.reading{font-size:1.1em}
.charts{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}.plot{max-width:440px}
.samples{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;width:128px;text-align:center;font-size:11px}
figure img{width:112px;height:112px;image-rendering:pixelated;border:3px solid #3a3}figure.bad img{border-color:#d33}figure.delta img{border-color:#888}
</style></head><body>
<h1>robustart demo: ${input.demos.length} model${input.demos.length === 1 ? '' : 's'} under adversarial, natural and system noise</h1>
${quick ? '<p class="meta">QUICK protocols: a smoke run on seeded subsets, not comparable with published numbers and never ranked; robustart demo --full runs the complete suites.</p>' : ''}
<section id="comparison"><h2>Side by side</h2>${comparison(input)}</section>
${settingsSection(input.demos[0])}
${sections.join('\n')}
</body></html>
`;
}
