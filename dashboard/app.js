// robustart dashboard: leaderboard, architecture / technique / transfer / NAS views and per-model pages, drawn with
// Observable Plot (window.Plot, bundled locally). In server mode it reads /api/ and polls it so the pages follow a
// running study; a static site (robustart study export --site) reads the same payloads from data/*.json.
/* global Plot */
'use strict';

const STATIC = window.ROBUSTART_MODE === 'static';
const POLL_MS = 3000;
const state = { nasSpaces: [], nasSpace: null, nasDataset: null, nasText: '', nasCoefficient: 'spearman', nasSort: null, nasOrder: 'desc', archMetric: null, studies: [], study: null, dataset: null, payload: null, payloadText: '', sort: null, order: 'desc', family: '', technique: '', q: '', modelText: '' };

// Colour-blind-friendly palettes: Observable10 for families (categorical), viridis (sequential), PuOr (diverging).
const FAMILY_SCHEME = 'observable10';

function staticPath(...parts) {
  return 'data/' + parts.map(encodeURIComponent).join('/');
}

async function getJson(apiPath, staticParts) {
  const url = STATIC ? staticPath(...staticParts) : apiPath;
  const response = await fetch(url, { cache: 'no-store' });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${text}`);
  return { text, json: JSON.parse(text) };
}

const pct = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(2)}%`);
const num = (v, digits = 3) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));
function human(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
function formatMetric(column, value) {
  if (column.unit === 'fraction') return pct(value);
  if (column.unit === 'count') return value === null || value === undefined ? '–' : String(value);
  return num(value);
}
/** Axis label with its unit: fractions are shown in percent. */
function axisLabel(column) {
  return column.unit === 'fraction' ? `${column.label} (%)` : `${column.label} (ratio)`;
}
const shown = (column, value) => (value === null || value === undefined ? null : column.unit === 'fraction' ? 100 * value : value);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** replaceChildren without the nulls of optional parts (the DOM would print them as "null"). */
function replace(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

function chart(title, plot, testid) {
  const figure = el('figure', { class: 'chart', 'data-testid': testid || 'chart' }, el('figcaption', { text: title }), plot);
  return figure;
}

function note(text) {
  return el('p', { class: 'note', text });
}

// ---------- data ----------
async function loadStudies() {
  const { json } = await getJson('api/studies', ['studies.json']);
  state.studies = json;
  const select = document.getElementById('study');
  select.replaceChildren(...json.map((s) => el('option', { value: s.name, text: s.name })));
  if (!state.study || !json.some((s) => s.name === state.study)) state.study = json[0] ? json[0].name : null;
  select.value = state.study || '';
  fillDatasets();
}

function fillDatasets() {
  const study = state.studies.find((s) => s.name === state.study);
  const datasets = study ? study.datasets : [];
  if (!datasets.includes(state.dataset)) state.dataset = datasets[0] || null;
  const select = document.getElementById('dataset');
  select.replaceChildren(...datasets.map((d) => el('option', { value: d, text: d })));
  select.value = state.dataset || '';
}

async function loadDashboard() {
  if (!state.study) return false;
  const { text, json } = await getJson(`api/studies/${encodeURIComponent(state.study)}/dashboard?dataset=${encodeURIComponent(state.dataset)}`, [state.study, state.dataset, 'dashboard.json']);
  const changed = text !== state.payloadText;
  state.payload = json;
  state.payloadText = text;
  const p = json.progress;
  const total = p.done + p.running + p.missing + p.failed;
  document.getElementById('live').textContent = `${p.done}/${total} cells done${p.running ? `, ${p.running} running` : ''}${p.failed ? `, ${p.failed} failed` : ''}`;
  document.getElementById('study-title').textContent = `· ${json.leaderboard.study}`;
  return changed;
}

// ---------- leaderboard ----------
function filteredRows() {
  const { rows } = state.payload.leaderboard;
  const needle = state.q.trim().toLowerCase();
  let out = rows.filter(
    (r) =>
      (!state.family || r.family === state.family) &&
      (!state.technique || r.technique === state.technique) &&
      (!needle || [r.name, r.family, r.technique, r.architecture, ...Object.values(r.tags)].some((s) => s.toLowerCase().includes(needle))),
  );
  if (state.sort) {
    const key = state.sort;
    const value = (r) => (['name', 'family', 'technique', 'parameters', 'macs'].includes(key) ? r[key] : r.metrics[key]);
    const sign = state.order === 'asc' ? 1 : -1;
    out = [...out].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === null || va === undefined) return 1;
      if (vb === null || vb === undefined) return -1;
      return sign * (typeof va === 'number' ? va - vb : String(va).localeCompare(String(vb)));
    });
  }
  return out;
}

function renderLeaderboard(main) {
  const board = state.payload.leaderboard;
  const families = [...new Set(board.rows.map((r) => r.family))].sort();
  const techniques = [...new Set(board.rows.map((r) => r.technique))].sort();
  const option = (v, label) => el('option', { value: v, text: label || v });
  const familySelect = el('select', { id: 'filter-family', 'aria-label': 'family', onchange: (e) => { state.family = e.target.value; drawTable(); } }, option('', 'all families'), ...families.map((f) => option(f)));
  const techniqueSelect = el('select', { id: 'filter-technique', 'aria-label': 'technique', onchange: (e) => { state.technique = e.target.value; drawTable(); } }, option('', 'all techniques'), ...techniques.map((t) => option(t)));
  familySelect.value = state.family;
  techniqueSelect.value = state.technique;
  const search = el('input', { id: 'search', type: 'search', placeholder: 'search models, tags…', 'aria-label': 'search', value: state.q, oninput: (e) => { state.q = e.target.value; drawTable(); } });
  const tableHolder = el('div', { class: 'table-holder' });
  replace(main,
    el('h2', { text: `Leaderboard · ${board.dataset}` }),
    board.description ? note(board.description) : null,
    el('div', { class: 'controls' }, search, familySelect, techniqueSelect),
    tableHolder,
    note('Click a column to sort (again to reverse); click a model for its page. AR: top-1 under each attack and budget; WCAR: worst case over attacks; robust acc.: RobustBench convention (correct clean and under every attack of the budget, over all samples).'),
  );
  function drawTable() {
    const fixed = [
      { key: 'name', label: 'model', text: true },
      { key: 'family', label: 'family', text: true },
      { key: 'technique', label: 'technique', text: true },
      { key: 'parameters', label: 'params', count: true },
      { key: 'macs', label: 'MACs', count: true },
    ];
    const header = el('tr', {}, ...[...fixed, ...board.columns].map((c) => {
      const sorted = state.sort === c.key;
      return el('th', { scope: 'col', 'data-key': c.key, 'aria-sort': sorted ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none', title: c.better ? `${c.better} is better` : '' },
        el('button', { type: 'button', onclick: () => { state.order = sorted && state.order === 'desc' ? 'asc' : sorted ? 'desc' : c.text ? 'asc' : 'desc'; state.sort = c.key; drawTable(); } }, `${c.label}${sorted ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''}`));
    }), el('th', { scope: 'col', text: 'worst system combination' }), el('th', { scope: 'col', text: 'cells' }));
    const rows = filteredRows().map((r) => el('tr', { 'data-model': r.name },
      el('td', {}, el('a', { href: `#/model/${encodeURIComponent(r.name)}`, class: 'model-link' }, r.name)),
      el('td', { text: r.family }), el('td', { text: r.technique }), el('td', { text: human(r.parameters), class: 'num' }), el('td', { text: human(r.macs), class: 'num' }),
      ...board.columns.map((c) => el('td', { class: 'num', 'data-key': c.key, text: formatMetric(c, r.metrics[c.key]) })),
      el('td', { text: r.worstSystem || '–' }), el('td', { class: 'num', text: `${r.cellsDone}/${r.cellsTotal}` })));
    tableHolder.replaceChildren(el('table', { id: 'leaderboard' }, el('thead', {}, header), el('tbody', {}, ...rows)));
  }
  drawTable();
}

// ---------- architecture view ----------
function familyColor() {
  return { legend: true, scheme: FAMILY_SCHEME, label: 'family' };
}

function scatter(rows, x, y, xLabel, yLabel, xType) {
  const data = rows.filter((r) => x(r) !== null && x(r) !== undefined && y(r) !== null && y(r) !== undefined);
  return Plot.plot({
    width: 380, height: 260, marginLeft: 56, grid: true, inset: 12,
    x: { label: xLabel, type: xType || 'linear' },
    y: { label: yLabel },
    color: familyColor(),
    marks: [Plot.dot(data, { x, y, fill: 'family', r: 5, stroke: 'white', channels: { model: 'name', technique: 'technique' }, tip: true })],
  });
}

function renderArchitecture(main) {
  const board = state.payload.leaderboard;
  const clean = board.columns.find((c) => c.key === 'clean_top1');
  // Metrics some model has a value for (mCE, for one, needs all 15 corruptions at all 5 severities).
  const metrics = board.columns.filter((c) => c.key !== 'clean_top1' && board.rows.some((r) => r.metrics[c.key] !== null && r.metrics[c.key] !== undefined));
  const grid = el('div', { class: 'grid' });
  if (!metrics.some((c) => c.key === state.archMetric)) state.archMetric = (metrics[0] || {}).key;
  const select = el('select', { id: 'arch-metric', 'aria-label': 'metric', onchange: (e) => { state.archMetric = e.target.value; draw(); } }, ...metrics.map((c) => el('option', { value: c.key, text: c.label })));
  select.value = state.archMetric || '';
  replace(main, el('h2', { text: 'Architectures: robustness against clean accuracy and size' }), el('div', { class: 'controls' }, el('label', {}, 'metric ', select)), note('One colour per family; hover a point for its model and values.'), grid);
  function draw() {
    const c = metrics.find((m) => m.key === state.archMetric);
    if (board.rows.length === 0 || !c) {
      grid.replaceChildren(note('No robustness metrics stored yet.'));
      return;
    }
    const y = (r) => shown(c, r.metrics[c.key]);
    grid.replaceChildren(
      ...(clean ? [chart(`${c.label} vs clean top-1`, scatter(board.rows, (r) => shown(clean, r.metrics.clean_top1), y, 'clean top-1 (%)', axisLabel(c)), 'architecture-chart')] : []),
      chart(`${c.label} vs parameters`, scatter(board.rows, (r) => r.parameters, y, 'parameters (count, log scale)', axisLabel(c), 'log'), 'architecture-chart'),
      chart(`${c.label} vs MACs`, scatter(board.rows, (r) => r.macs, y, 'MACs per image (count, log scale)', axisLabel(c), 'log'), 'architecture-chart'),
    );
  }
  draw();
}

// ---------- technique view ----------
function renderTechnique(main) {
  const board = state.payload.leaderboard;
  const deltas = state.payload.techniques;
  main.replaceChildren(el('h2', { text: 'Techniques: change of every metric against the baseline' }));
  if (deltas.length === 0) {
    main.append(note('No technique variants with a baseline of the same architecture in this study (tag models with technique: baseline and the same architecture).'));
    return;
  }
  const columns = new Map(board.columns.map((c) => [c.key, c]));
  const data = deltas.flatMap((d) => Object.entries(d.deltas).map(([key, delta]) => {
    const c = columns.get(key);
    return { variant: `${d.architecture} · ${d.technique}`, model: d.model, baseline: d.baseline, metric: c.label, delta: c.unit === 'fraction' ? 100 * delta : delta, unit: c.unit === 'fraction' ? 'percentage points' : 'ratio', better: c.better };
  }));
  const variants = deltas.map((d) => `${d.architecture} · ${d.technique}`);
  const metricOrder = board.columns.map((c) => c.label).filter((label) => data.some((d) => d.metric === label));
  const plot = Plot.plot({
    marginLeft: 190, marginBottom: 60, width: Math.min(1200, 260 + 170 * variants.length), height: 80 + 24 * metricOrder.length,
    x: { label: 'architecture · technique', domain: variants, axis: 'top' }, y: { label: 'metric', domain: metricOrder },
    color: { type: 'diverging', scheme: 'PuOr', pivot: 0, legend: true, label: 'change vs baseline (percentage points; ratios unitless)' },
    marks: [
      Plot.cell(data, { x: 'variant', y: 'metric', fill: 'delta', inset: 0.5, channels: { model: 'model', baseline: 'baseline', unit: 'unit', 'higher or lower is better': 'better' }, tip: true }),
      Plot.text(data, { x: 'variant', y: 'metric', text: (d) => d.delta.toFixed(2), fill: (d) => (Math.abs(d.delta) > 30 ? 'white' : 'black'), fontSize: 11 }),
    ],
  });
  main.append(chart('Δ metric (technique − baseline)', plot, 'technique-chart'));
  const head = el('tr', {}, el('th', { text: 'architecture' }), el('th', { text: 'technique' }), el('th', { text: 'model' }), el('th', { text: 'baseline' }), ...board.columns.map((c) => el('th', { text: `Δ ${c.label}` })));
  const rows = deltas.map((d) => el('tr', {}, el('td', { text: d.architecture }), el('td', { text: d.technique }), el('td', { text: d.model }), el('td', { text: d.baseline }),
    ...board.columns.map((c) => el('td', { class: 'num', text: d.deltas[c.key] === undefined ? '–' : c.unit === 'fraction' ? `${(100 * d.deltas[c.key]).toFixed(2)} pp` : num(d.deltas[c.key]) }))));
  main.append(el('div', { class: 'table-holder' }, el('table', { id: 'technique-table' }, el('thead', {}, head), el('tbody', {}, ...rows))));
}

// ---------- transfer view ----------
function renderTransfer(main) {
  const cells = state.payload.transfer.filter((d) => d.ar !== null);
  main.replaceChildren(el('h2', { text: 'Transfer attacks: source × target AR' }));
  if (cells.length === 0) {
    main.append(note('This study has no transfer attacks (a study runs them when its file has a transfer: section).'));
    return;
  }
  // One panel per attack condition crafted on the sources (e.g. FGSM L∞ at each budget).
  const plot = Plot.plot({
    marginLeft: 140, marginBottom: 90, marginRight: 110, x: { label: 'source model (attack crafted on)', tickRotate: -30 }, y: { label: 'target model' },
    fy: { label: 'attack' }, color: { scheme: 'viridis', legend: true, label: 'AR on target (%)' },
    marks: [
      Plot.cell(cells, { x: 'source', y: 'target', fy: 'condition', fill: (d) => 100 * d.ar, tip: true }),
      Plot.text(cells, { x: 'source', y: 'target', fy: 'condition', text: (d) => (100 * d.ar).toFixed(0), fill: 'white', fontSize: 9 }),
    ],
  });
  main.append(chart('AR of each target under attacks crafted on each source', plot, 'transfer-chart'));
}

// ---------- NAS view ----------
async function loadNasSpaces() {
  const { json } = await getJson('api/nas', ['nas.json']);
  state.nasSpaces = json;
  // The view exists only when the store holds NAS subnets.
  document.getElementById('nav-nas').hidden = json.length === 0;
}

const NAS_OTHER = '#b8bcc2';
const NAS_FRONT = '#d35400';

/** One metric against MACs: every subnet, the Pareto front (cheapest to best) as a staircase with its points. */
function paretoPlot(a, column) {
  const shownValue = (s) => shown(column, s.metrics[column.key]);
  const points = a.subnets.filter((s) => s.macs !== null && shownValue(s) !== null);
  const front = new Set((a.pareto.find((p) => p.metric === column.key && p.cost === 'macs') || { subnets: [] }).subnets);
  const onFront = points.filter((s) => front.has(s.name)).sort((x, y) => x.macs - y.macs);
  const data = (rows) => rows.map((s) => ({ subnet: s.subnetId, macs: s.macs, value: shownValue(s) }));
  return Plot.plot({
    width: 380, height: 260, marginLeft: 56, grid: true, inset: 12,
    x: { label: 'MACs per image (count, log scale)', type: 'log' },
    y: { label: axisLabel(column) },
    marks: [
      Plot.dot(data(points.filter((s) => !front.has(s.name))), { x: 'macs', y: 'value', fill: NAS_OTHER, r: 3.5, channels: { subnet: 'subnet' }, tip: true }),
      Plot.line(data(onFront), { x: 'macs', y: 'value', stroke: NAS_FRONT, strokeWidth: 1.5, curve: 'step-after' }),
      Plot.dot(data(onFront), { x: 'macs', y: 'value', fill: NAS_FRONT, r: 5, stroke: 'white', channels: { subnet: 'subnet' }, tip: true }),
    ],
  });
}

function correlationPlot(a, coefficient) {
  const label = new Map(a.columns.map((c) => [c.key, c.label]));
  const other = coefficient === 'spearman' ? 'kendall' : 'spearman';
  const present = a.correlations.filter((c) => c[coefficient] !== null);
  // Metrics and dimensions with at least one coefficient (a metric no subnet has, or a constant dimension, has none).
  const metrics = a.columns.filter((c) => present.some((x) => x.metric === c.key)).map((c) => c.label);
  const dimensions = [...a.dimensions, 'params', 'macs'].filter((d) => present.some((x) => x.dimension === d));
  const data = present.map((c) => ({
    dimension: c.dimension, metric: label.get(c.metric), value: c[coefficient], n: c.n, p: c[`${coefficient}P`], [other]: c[other],
  }));
  return Plot.plot({
    marginLeft: 90, marginBottom: 110, width: Math.min(1400, 160 + 70 * metrics.length), height: 120 + 30 * dimensions.length,
    x: { label: 'robustness metric', domain: metrics, tickRotate: -35 }, y: { label: 'architecture dimension', domain: dimensions },
    color: { type: 'diverging', scheme: 'PuOr', domain: [-1, 1], legend: true, label: coefficient === 'spearman' ? "Spearman's rho" : "Kendall's tau-b" },
    marks: [
      Plot.cell(data, { x: 'metric', y: 'dimension', fill: 'value', inset: 0.5, channels: { n: 'n', 'p-value': 'p', [other === 'kendall' ? 'Kendall tau-b' : "Spearman's rho"]: other }, tip: true }),
      Plot.text(data, { x: 'metric', y: 'dimension', text: (d) => d.value.toFixed(2), fill: (d) => (Math.abs(d.value) > 0.6 ? 'white' : 'black'), fontSize: 11 }),
    ],
  });
}

function nasTable(a, columns) {
  const holder = el('div', { class: 'table-holder' });
  const fixed = [{ key: 'subnet', label: 'subnet', text: true }, ...a.dimensions.map((d) => ({ key: `arch:${d}`, label: d })), { key: 'params', label: 'params' }, { key: 'macs', label: 'MACs' }];
  const value = (s, key) => (key === 'subnet' ? s.subnetId : key.startsWith('arch:') ? s.architecture[key.slice(5)] : key === 'params' || key === 'macs' ? s[key] : s.metrics[key]);
  function draw() {
    let rows = a.subnets;
    if (state.nasSort) {
      const sign = state.nasOrder === 'asc' ? 1 : -1;
      rows = [...rows].sort((x, y) => {
        const vx = value(x, state.nasSort);
        const vy = value(y, state.nasSort);
        if (vx === null || vx === undefined) return 1;
        if (vy === null || vy === undefined) return -1;
        return sign * (typeof vx === 'number' ? vx - vy : String(vx).localeCompare(String(vy), 'en', { numeric: true }));
      });
    }
    const header = el('tr', {}, ...[...fixed, ...columns].map((c) => {
      const sorted = state.nasSort === c.key;
      return el('th', { scope: 'col', 'data-key': c.key, 'aria-sort': sorted ? (state.nasOrder === 'asc' ? 'ascending' : 'descending') : 'none' },
        el('button', { type: 'button', onclick: () => { state.nasOrder = sorted && state.nasOrder === 'desc' ? 'asc' : sorted ? 'desc' : c.text ? 'asc' : 'desc'; state.nasSort = c.key; draw(); } }, `${c.label}${sorted ? (state.nasOrder === 'asc' ? ' ▲' : ' ▼') : ''}`));
    }));
    const body = rows.map((s) => el('tr', { 'data-subnet': s.name },
      el('td', { text: s.subnetId }),
      ...a.dimensions.map((d) => el('td', { class: 'num', text: s.architecture[d] === undefined ? '–' : String(s.architecture[d]) })),
      el('td', { class: 'num', text: human(s.params) }), el('td', { class: 'num', text: human(s.macs) }),
      ...columns.map((c) => el('td', { class: 'num', 'data-key': c.key, text: formatMetric(c, s.metrics[c.key]) }))));
    holder.replaceChildren(el('table', { id: 'nas-table' }, el('thead', {}, header), el('tbody', {}, ...body)));
  }
  draw();
  return holder;
}

function drawNas(main, a) {
  const option = (v, text) => el('option', { value: v, text: text || v });
  const space = state.nasSpaces.find((s) => s.space === a.space);
  const spaceSelect = el('select', { id: 'nas-space', 'aria-label': 'search space', onchange: (e) => { state.nasSpace = e.target.value; state.nasSort = null; render(true); } }, ...state.nasSpaces.map((s) => option(s.space)));
  spaceSelect.value = a.space;
  const datasetSelect = space.datasets.length > 1 ? el('select', { id: 'nas-dataset', 'aria-label': 'dataset', onchange: (e) => { state.nasDataset = e.target.value; render(true); } }, ...space.datasets.map((d) => option(d.fingerprint, d.root || d.fingerprint.slice(0, 12)))) : null;
  if (datasetSelect) datasetSelect.value = state.nasDataset;
  const coefficientSelect = el('select', { id: 'nas-coefficient', 'aria-label': 'rank correlation', onchange: (e) => { state.nasCoefficient = e.target.value; drawCorrelations(); } }, option('spearman', "Spearman's rho"), option('kendall', "Kendall's tau-b"));
  coefficientSelect.value = state.nasCoefficient;
  // Metrics some subnet has a value for (mCE, for one, needs all 15 corruptions at all 5 severities).
  const columns = a.columns.filter((c) => a.subnets.some((s) => s.metrics[c.key] !== null && s.metrics[c.key] !== undefined));
  const evaluated = a.subnets.filter((s) => Object.keys(s.runs).length > 0).length;
  const paretoGrid = el('div', { class: 'grid' });
  const correlations = el('div', {});
  replace(main,
    el('h2', { text: `NAS subnets · ${a.space}` }),
    el('div', { class: 'controls' }, el('label', {}, 'search space ', spaceSelect), datasetSelect ? el('label', {}, 'dataset ', datasetSelect) : null),
    note(`${a.subnets.length} subnets, ${evaluated} evaluated${a.dataset ? ` on dataset ${(space.datasets.find((d) => d.fingerprint === a.dataset) || {}).root || a.dataset.slice(0, 12)}` : ''}.${a.spaceHashes.length > 1 ? ` Sampled from ${a.spaceHashes.length} versions of the space.` : ''}`),
    a.corruptionSubset ? note(`Corruption error: the mean top-1 error over the ${a.corruptionSubset.conditions.length} ImageNet-C conditions the subnets ran (${a.corruptionSubset.corruptions.join(', ')}; severit${a.corruptionSubset.severities.length === 1 ? 'y' : 'ies'} ${a.corruptionSubset.severities.join(',')}), unnormalised. mCE needs all 15 corruptions at severities 1–5.`) : null,
    el('h3', { text: 'Robustness against MACs: Pareto fronts' }),
    note('Orange: the Pareto front (no other subnet costs fewer MACs and does better); grey: the other subnets. Hover a point for its subnet.'),
    paretoGrid,
    el('h3', { text: 'Rank correlation of each architecture dimension with each metric' }),
    el('div', { class: 'controls' }, el('label', {}, 'coefficient ', coefficientSelect)),
    correlations,
    el('h3', { text: 'Subnets' }),
    nasTable(a, columns),
  );
  if (columns.length === 0) paretoGrid.append(note('No subnet has stored results yet.'));
  for (const c of columns) paretoGrid.append(chart(`${c.label} vs MACs (${c.better} is better)`, paretoPlot(a, c), 'nas-pareto-chart'));
  function drawCorrelations() {
    const shownCorrelations = a.correlations.some((c) => c[state.nasCoefficient] !== null);
    correlations.replaceChildren(shownCorrelations
      ? chart(`${state.nasCoefficient === 'spearman' ? "Spearman's rho" : "Kendall's tau-b"} (hover a cell for n and the two-sided p-value)`, correlationPlot(a, state.nasCoefficient), 'nas-correlation-chart')
      : note('No correlations yet: they need at least two subnets with values that differ.'));
  }
  drawCorrelations();
}

async function renderNas(main, force) {
  if (state.nasSpaces.length === 0) {
    main.dataset.view = 'nas';
    main.replaceChildren(note('The results store holds no NAS subnets (registered models with nas metadata).'));
    return;
  }
  if (!state.nasSpaces.some((s) => s.space === state.nasSpace)) state.nasSpace = state.nasSpaces[0].space;
  const space = state.nasSpaces.find((s) => s.space === state.nasSpace);
  const datasets = space.datasets.map((d) => d.fingerprint);
  if (!datasets.includes(state.nasDataset)) state.nasDataset = datasets[0] || null;
  const query = state.nasDataset ? `?dataset=${encodeURIComponent(state.nasDataset)}` : '';
  const { text, json } = await getJson(`api/nas/${encodeURIComponent(space.space)}${query}`, ['nas', space.space, `${state.nasDataset || 'none'}.json`]);
  if (!force && text === state.nasText && main.dataset.view === 'nas') return;
  state.nasText = text;
  main.dataset.view = 'nas';
  delete main.dataset.model;
  drawNas(main, json);
}

// ---------- per-model page ----------
async function renderModel(main, name) {
  const { text, json: d } = await getJson(`api/studies/${encodeURIComponent(state.study)}/models/${encodeURIComponent(name)}?dataset=${encodeURIComponent(state.dataset)}`, [state.study, state.dataset, 'models', `${name}.json`]);
  if (text === state.modelText && main.dataset.model === name) return;
  state.modelText = text;
  main.dataset.model = name;
  const r = d.row;
  main.replaceChildren(
    el('p', {}, el('a', { href: '#/', text: '← leaderboard' })),
    el('h2', { id: 'model-name', text: r.name }),
    el('p', { text: `family ${r.family} · technique ${r.technique} · architecture ${r.architecture} · ${human(r.parameters)} parameters · ${human(r.macs)} MACs per image · ${r.cellsDone}/${r.cellsTotal} cells done` }),
  );
  const grid = el('div', { class: 'grid' });
  main.append(grid);
  if (d.arCurves.length) {
    // One chart per norm: budgets of different norms are not on one scale. L∞ budgets read in 1/255 steps.
    for (const norm of [...new Set(d.arCurves.map((p) => p.norm))]) {
      const linf = norm === 'linf';
      const data = d.arCurves.filter((p) => p.norm === norm).map((p) => ({ ...p, eps: linf ? 255 * p.epsilon : p.epsilon, ar: 100 * p.accuracy }));
      grid.append(chart(`AR against ε per attack (${norm === 'linf' ? 'L∞' : norm.toUpperCase()})`, Plot.plot({
        width: 420, height: 280, grid: true, x: { label: linf ? 'ε (×1/255 of the pixel range)' : `ε (${norm.toUpperCase()} norm, pixels in [0, 1])` }, y: { label: 'accuracy under attack (%)', domain: [0, 100] },
        color: { legend: true, scheme: FAMILY_SCHEME, label: 'attack' },
        marks: [Plot.line(data, { x: 'eps', y: 'ar', stroke: 'attack', sort: 'eps' }), Plot.dot(data, { x: 'eps', y: 'ar', fill: 'attack', channels: { ε: 'epsilonLabel' }, tip: true })],
      }), 'model-chart'));
    }
  } else grid.append(note('No adversarial suite stored for this model.'));
  if (d.corruptions.length) {
    const data = d.corruptions.map((c) => ({ ...c, errorPct: 100 * c.error }));
    grid.append(chart('Error per corruption and severity', Plot.plot({
      width: 420, marginLeft: 120, x: { label: 'severity (1–5)', type: 'band' }, y: { label: 'corruption' },
      color: { scheme: 'viridis', legend: true, label: 'top-1 error (%)' },
      marks: [Plot.cell(data, { x: 'severity', y: 'corruption', fill: 'errorPct', inset: 0.5, tip: true })],
    }), 'model-chart'));
  } else grid.append(note('No natural-noise suite stored for this model.'));
  if (d.ce.length) {
    grid.append(chart('Corruption error (AlexNet-normalised CE) per corruption', Plot.plot({
      width: 420, marginLeft: 120, x: { label: 'CE (ratio to AlexNet)', grid: true }, y: { label: 'corruption' },
      marks: [Plot.barX(d.ce, { x: 'ce', y: 'corruption', fill: '#4269d0', tip: true }), Plot.ruleX([1], { stroke: '#444', strokeDasharray: '4 3' })],
    }), 'model-chart'));
  }
  if (d.system.length) {
    const data = d.system.map((s) => ({ ...s, top1: 100 * s.accuracy }));
    grid.append(chart('Top-1 per decoder × resizer', Plot.plot({
      width: 460, marginLeft: 140, marginBottom: 80, x: { label: 'resizer', tickRotate: -30 }, y: { label: 'decoder' },
      color: { scheme: 'viridis', legend: true, label: 'top-1 (%)' },
      marks: [Plot.cell(data, { x: 'resizer', y: 'decoder', fill: 'top1', inset: 0.5, tip: true }), Plot.text(data, { x: 'resizer', y: 'decoder', text: (s) => s.top1.toFixed(1), fill: 'white', fontSize: 10 })],
    }), 'model-chart'));
  } else grid.append(note('No system-noise suite stored for this model.'));
  if (d.flipRates.length) {
    const data = d.flipRates.map((f) => ({ ...f, fp: 100 * f.flipProbability }));
    grid.append(chart('ImageNet-P flip probability per perturbation', Plot.plot({
      width: 420, marginLeft: 120, x: { label: 'flip probability (%)', grid: true }, y: { label: 'perturbation' },
      marks: [Plot.barX(data, { x: 'fp', y: 'perturbation', fill: '#efb118', channels: { 'top-5 distance': 'topFiveDistance' }, tip: true })],
    }), 'model-chart'));
  }
  if (d.calibration) {
    const bins = d.calibration.bins.filter((b) => b.count > 0).map((b) => ({ ...b, mid: 100 * ((b.lower + b.upper) / 2), acc: 100 * b.accuracy, conf: 100 * b.confidence }));
    grid.append(chart(`Calibration (reliability; ECE ${pct(d.calibration.ece)})`, Plot.plot({
      width: 420, height: 300, grid: true, x: { label: 'confidence (%)', domain: [0, 100] }, y: { label: 'accuracy (%)', domain: [0, 100] },
      marks: [Plot.line([[0, 0], [100, 100]], { stroke: '#999', strokeDasharray: '4 3' }), Plot.dot(bins, { x: 'conf', y: 'acc', r: (b) => Math.sqrt(b.count) + 2, fill: '#3ca951', channels: { samples: 'count' }, tip: true })],
    }), 'model-chart'));
  }
}

// ---------- queue panel (robustart serve --queue) ----------
function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

function renderQueue(q) {
  const panel = document.getElementById('queue');
  const count = (key, label) => el('span', {}, `${label} `, el('b', { 'data-count': key, text: String(q[key]) }));
  const runs = q.runs.map((r) => el('tr', { 'data-run': r.runId },
    el('td', { text: r.runId }), el('td', { text: r.model }), el('td', { text: r.suite }),
    el('td', { class: 'num', 'data-field': 'records', text: `${r.done}/${r.total}` }),
    el('td', { class: 'num', 'data-field': 'rate', text: r.recordsPerSecond.toFixed(1) }),
    el('td', { class: 'num', 'data-field': 'eta', text: r.done >= r.total ? 'done' : duration(r.etaSeconds) }),
    el('td', { class: 'num', 'data-field': 'failed', text: String(r.failedShards) }),
    el('td', { 'data-field': 'workers', text: r.workers.map((w) => `${w.worker.host}:${w.worker.pid}/${w.worker.device} (${w.shards})`).join(', ') || '–' })));
  const running = q.running.map((r) => el('tr', {}, el('td', { text: r.shard }), el('td', { text: r.worker || '?' }), el('td', { text: r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 19) : '?' })));
  replace(panel,
    el('h2', { text: 'Shard queue' }),
    el('p', { class: 'counts' }, count('waiting', 'waiting'), count('active', 'active'), count('delayed', 'delayed for a retry'), count('completed', 'done, not yet stored'), count('failed', 'failed')),
    el('p', { id: 'queue-workers', class: 'note', text: q.workers.length ? `${q.workers.length} worker(s) connected: ${q.workers.join(', ')}` : 'no worker connected' }),
    runs.length ? el('div', { class: 'table-holder' }, el('table', { id: 'queue-runs' },
      el('thead', {}, el('tr', {}, ...['run', 'model', 'suite', 'records', 'records/s', 'ETA', 'failed shards', 'workers (shards)'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...runs))) : note('No run has used this queue in the last day.'),
    running.length ? el('div', { class: 'table-holder' }, el('table', { id: 'queue-running' },
      el('thead', {}, el('tr', {}, ...['running shard', 'worker (host:pid/device)', 'since'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...running))) : null,
  );
  panel.hidden = false;
}

async function pollQueue() {
  try {
    const { json } = await getJson('api/queue', []);
    renderQueue(json);
  } catch (err) {
    replace(document.getElementById('queue'), el('p', { class: 'error', role: 'alert', text: `queue: ${err.message || err}` }));
    document.getElementById('queue').hidden = false;
  }
}

// ---------- routing ----------
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, ...rest] = hash.split('/');
  return { view: view || 'leaderboard', arg: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

async function render(force) {
  const main = document.getElementById('main');
  const { view, arg } = route();
  for (const a of document.querySelectorAll('nav a')) a.setAttribute('aria-current', a.dataset.view === view ? 'page' : 'false');
  try {
    const changed = await loadDashboard();
    if (view === 'nas') return await renderNas(main, force);
    if (!state.study) {
      main.replaceChildren(note('The results store holds no study yet: run robustart study run FILE.'));
      return;
    }
    if (view === 'model') return await renderModel(main, arg);
    if (!changed && !force && main.dataset.view === view) return;
    main.dataset.view = view;
    delete main.dataset.model;
    if (view === 'architecture') renderArchitecture(main);
    else if (view === 'technique') renderTechnique(main);
    else if (view === 'transfer') renderTransfer(main);
    else renderLeaderboard(main);
  } catch (err) {
    main.replaceChildren(el('p', { class: 'error', role: 'alert', text: String(err.message || err) }));
  }
}

async function start() {
  if (window.ROBUSTART_QUEUE) {
    // The queue panel follows the queue whether or not the store holds a study yet.
    pollQueue();
    setInterval(pollQueue, POLL_MS);
  }
  document.getElementById('study').addEventListener('change', (e) => { state.study = e.target.value; fillDatasets(); render(true); });
  document.getElementById('dataset').addEventListener('change', (e) => { state.dataset = e.target.value; render(true); });
  window.addEventListener('hashchange', () => { state.modelText = ''; render(true); });
  try {
    await loadStudies();
    await loadNasSpaces();
  } catch (err) {
    document.getElementById('main').replaceChildren(el('p', { class: 'error', role: 'alert', text: String(err.message || err) }));
    return;
  }
  await render(true);
  if (!STATIC) {
    // Live updates while a study runs: re-read the store's payload and redraw only when it changed.
    setInterval(() => { loadStudies().then(loadNasSpaces).then(() => render(false)).catch(() => undefined); }, POLL_MS);
  }
}

start();
