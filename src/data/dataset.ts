// Datasets: ImageFolder trees (torchvision's layout and label order) and CSV manifests (path,label).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { nodeCrypto } from '../util/native.js';
import { RobustartError } from '../errors.js';
import { imagenetWnids } from './imagenet.js';
import { Rng } from '../util/rng.js';
import { maxOf } from '../util/array.js';

export interface Sample {
  /** Stable id: the path relative to the dataset root, with '/' separators. */
  readonly id: string;
  readonly path: string;
  readonly label: number;
}

export interface Dataset {
  readonly kind: 'imagefolder' | 'csv';
  readonly root: string;
  /** Class names in label order. */
  readonly classes: string[];
  readonly samples: Sample[];
  /** Hash of the sample list and labels: a run's results belong to exactly this dataset. */
  readonly fingerprint: string;
}

/** torchvision.datasets.folder.IMG_EXTENSIONS */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp']);

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Image files under `dir`, following symbolic links. A link back into a folder being walked (a loop) is an error
 * naming it; a dangling link to an image name is listed, so it is skipped and counted like any unreadable image.
 */
function listImages(dir: string, walking: ReadonlySet<string> = new Set([realpathSync(dir)])): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() || (entry.isSymbolicLink() && linkedDirectory(full))) {
      const real = realpathSync(full);
      if (walking.has(real)) throw new RobustartError(`symlink loop in the dataset: ${full} leads back to ${real}; remove the link or point it outside the dataset`);
      out.push(...listImages(full, new Set([...walking, real])));
    } else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

function linkedDirectory(link: string): boolean {
  try {
    return statSync(link).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new RobustartError(`symlink loop in the dataset: ${link} points (through links) to itself; remove it`);
    return false; // dangling: not a folder
  }
}

function fingerprintOf(kind: string, classes: string[], samples: Sample[]): string {
  const hash = nodeCrypto.createHash('sha256').update(kind).update(JSON.stringify(classes));
  for (const s of samples) hash.update(`${s.id}\t${s.label}\n`);
  return hash.digest('hex').slice(0, 16);
}

const WNID = /^n\d{8}$/;

/**
 * torchvision's ImageFolder: class = sorted sub-folder name -> index, files sorted within each.
 * When every folder is an ImageNet wnid, labels are the standard 1,000-class indices instead,
 * so a 200-class subset (ImageNet-A/R) or a partial copy of ImageNet is labelled as the model expects.
 */
export function loadImageFolder(root: string): Dataset {
  const absolute = resolve(root);
  const folders = readdirSync(absolute, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && linkedDirectory(join(absolute, e.name))))
    .map((e) => e.name)
    .sort(byCodePoint);
  if (folders.length === 0) {
    throw new RobustartError(`dataset folder ${root} has no class sub-folders; lay it out as ${root}/<class>/<image> or pass a CSV manifest (path,label)`);
  }
  const wnids = folders.every((f) => WNID.test(f)) ? imagenetWnids() : undefined;
  const classes = wnids ?? folders;
  const samples: Sample[] = [];
  for (const [index, folder] of folders.entries()) {
    const label = wnids ? wnids.indexOf(folder) : index;
    if (label < 0) throw new RobustartError(`dataset folder ${root}/${folder} looks like an ImageNet wnid but is not one of the 1,000 classes; rename it or use a CSV manifest`);
    for (const path of listImages(join(absolute, folder))) {
      samples.push({ id: relative(absolute, path).split(sep).join('/'), path, label });
    }
  }
  if (samples.length === 0) throw new RobustartError(`dataset folder ${root} has class folders but no images (${[...IMAGE_EXTENSIONS].join(' ')})`);
  return { kind: 'imagefolder', root: absolute, classes, samples, fingerprint: fingerprintOf('imagefolder', classes, samples) };
}

/** Splits one CSV line, honouring double quotes (paths may contain commas). */
export function parseCsvLine(line: string): string[] {
  // Most lines have no quotes: split directly (manifests run to millions of lines).
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') fields.push(field), (field = '');
    else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/**
 * A CSV manifest `path,label` (header optional). Labels are integers, or class names that are then
 * indexed in sorted order (or by `classNames` when the model's metadata lists them). Relative paths
 * are relative to the CSV file.
 */
export function loadCsvManifest(csvPath: string, classNames?: readonly string[]): Dataset {
  const absolute = resolve(csvPath);
  const base = dirname(absolute);
  const lines = readFileSync(absolute, 'utf8').split(/\r?\n/).map((l, i) => ({ text: l, number: i + 1 })).filter((l) => l.text.trim() !== '');
  if (lines.length === 0) throw new RobustartError(`CSV manifest ${csvPath} is empty; write one 'path,label' line per image`);
  const first = parseCsvLine(lines[0].text);
  const hasHeader = first[0]?.toLowerCase() === 'path' || first[1]?.toLowerCase() === 'label';
  const rows = (hasHeader ? lines.slice(1) : lines).map((l) => {
    const fields = parseCsvLine(l.text);
    if (fields.length < 2 || fields[0] === '' || fields[1] === '') {
      throw new RobustartError(`CSV manifest ${csvPath} line ${l.number}: expected 'path,label', got '${l.text}'`);
    }
    return { path: fields[0], label: fields[1], line: l.number };
  });
  if (rows.length === 0) throw new RobustartError(`CSV manifest ${csvPath} has no samples, only a header; write one 'path,label' line per image`);
  checkCsvLabels(rows, csvPath, classNames);
  const numeric = rows.every((r) => /^\d+$/.test(r.label));
  let classes: string[];
  if (numeric) {
    const max = maxOf(rows.map((r) => Number(r.label)));
    classes = classNames ? [...classNames] : Array.from({ length: max + 1 }, (_, i) => String(i));
  } else {
    classes = classNames ? [...classNames] : [...new Set(rows.map((r) => r.label))].sort(byCodePoint);
  }
  // A path listed twice with the same label is one sample (checkCsvLabels refused differing labels).
  const listed = new Set<string>();
  const unique = rows.filter((r) => !listed.has(r.path) && listed.add(r.path));
  const samples = unique.map((r) => {
    const label = /^\d+$/.test(r.label) ? Number(r.label) : classes.indexOf(r.label);
    if (label < 0) throw new RobustartError(`CSV manifest ${csvPath} line ${r.line}: label '${r.label}' is not one of the model's classes`);
    const path = resolve(base, r.path);
    return { id: r.path.split(sep).join('/'), path, label };
  });
  return { kind: 'csv', root: absolute, classes, samples, fingerprint: fingerprintOf('csv', classes, samples) };
}

/**
 * A label is a class index (a non-negative integer, below the model's class count when the model names its
 * classes) or a class name; anything else would silently become a class of its own. Indices and names are not
 * mixed unless the model names its classes, and a path listed twice must carry one label.
 */
function checkCsvLabels(rows: readonly { path: string; label: string; line: number }[], csvPath: string, classNames?: readonly string[]): void {
  const where = (line: number) => `CSV manifest ${csvPath} line ${line}`;
  const names = classNames ? new Set(classNames) : undefined;
  let firstIndex: number | undefined;
  let firstName: number | undefined;
  const seen = new Map<string, { label: string; line: number }>();
  for (const r of rows) {
    const index = /^\d+$/.test(r.label);
    if (index && classNames && Number(r.label) >= classNames.length) {
      throw new RobustartError(`${where(r.line)}: label ${r.label} is not below the model's ${classNames.length} classes; use an index 0..${classNames.length - 1} or a class name`);
    }
    if (!index && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(r.label)) {
      throw new RobustartError(`${where(r.line)}: label '${r.label}' is not a class index; labels are non-negative integers or class names`);
    }
    if (!index && names && !names.has(r.label)) {
      throw new RobustartError(`${where(r.line)}: label '${r.label}' is not one of the model's classes (${names.size} names in its labels); use one of those names or an index`);
    }
    if (index) firstIndex ??= r.line;
    else firstName ??= r.line;
    const before = seen.get(r.path);
    if (before && before.label !== r.label) {
      throw new RobustartError(`${where(r.line)}: ${r.path} is listed again with label '${r.label}' (line ${before.line} gives '${before.label}'); give each image one label`);
    }
    if (!before) seen.set(r.path, { label: r.label, line: r.line });
  }
  if (!names && firstIndex !== undefined && firstName !== undefined) {
    throw new RobustartError(`${where(Math.max(firstIndex, firstName))}: mixes class indices (line ${firstIndex}) and class names (line ${firstName}); use one kind, or a model whose metadata lists its labels`);
  }
}

/** A folder is an ImageFolder tree, a .csv file a manifest. */
export function loadDataset(pathOrCsv: string, classNames?: readonly string[]): Dataset {
  if (!existsSync(pathOrCsv)) throw new RobustartError(`dataset not found: ${pathOrCsv}; pass an ImageFolder directory or a CSV manifest (path,label)`);
  if (statSync(pathOrCsv).isDirectory()) return loadImageFolder(pathOrCsv);
  if (extname(pathOrCsv).toLowerCase() === '.csv') return loadCsvManifest(pathOrCsv, classNames);
  throw new RobustartError(`dataset ${pathOrCsv} is neither a directory nor a .csv manifest; pass an ImageFolder directory or a CSV file with 'path,label' lines`);
}

/**
 * A seeded, order-independent subset of `limit` samples (a prefix of an ImageFolder would be one
 * class only). The chosen samples keep dataset order, so records and reports read in a stable order.
 */
export function limitSamples(dataset: Dataset, limit: number | undefined, seed: number): Sample[] {
  if (limit === undefined || limit >= dataset.samples.length) return dataset.samples;
  const order = new Rng(seed).shuffle(dataset.samples.map((_, i) => i)).slice(0, limit).sort((a, b) => a - b);
  return order.map((i) => dataset.samples[i]);
}
