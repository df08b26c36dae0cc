// The settings a stored run used, for people to read beside its numbers: the adversarial protocol (or none) and its
// subset, the suite's resolved options, and every condition's own settings (an attack's steps, step size, restarts…)
// as the run recorded them. Shared by the CLI's run output, `results show` and the HTML run report, so a cited
// number always comes with what produced it.
import type { RunEntry } from '../store/store.js';
import type { AttackPlan } from '../noise/adversarial/conditions.js';
import { formatEpsilon } from '../noise/adversarial/masking.js';
import { QUICK_NOTE } from '../noise/adversarial/protocols.js';
import type { Norm } from '../noise/adversarial/threat.js';

export interface SettingLine {
  /** What the line describes: 'protocol', 'options', or a condition's name. */
  readonly label: string;
  readonly text: string;
}

type Settings = Readonly<Record<string, unknown>>;

// Adversarial options shown on the protocol line or per condition, not among the plain options.
const PROTOCOL_KEYS = new Set(['protocol', 'quick', 'headline', 'plans', 'subset']);
// A condition's name already says which attack, norm and budget it is.
const NAMED_KEYS = new Set(['attack', 'norm', 'eps']);
// Settings in pixel units, read as fractions of 255 under L∞ where they fall on that grid.
const PIXEL_KEYS = new Set(['eps', 'stepSize']);

const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

function formatValue(key: string, value: unknown, norm: Norm | undefined): string {
  if (typeof value === 'number') return PIXEL_KEYS.has(key) && norm ? formatEpsilon(value, norm) : String(+value.toPrecision(6));
  if (Array.isArray(value)) return value.map((v) => formatValue(key, v, norm)).join(',');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function describe(settings: Settings, skip: ReadonlySet<string>): string {
  const norm = typeof settings.norm === 'string' ? (settings.norm as Norm) : undefined;
  return Object.entries(settings)
    .filter(([key, value]) => !skip.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => `${words(key)} ${formatValue(key, value, norm)}`)
    .join(', ');
}

function protocolLine(options: Settings): SettingLine {
  const subset = options.subset as { kind: string; count: number; seed?: number; file?: string } | null | undefined;
  const name = typeof options.protocol === 'string' ? options.protocol : 'none (the attacks and budgets given)';
  const quick = options.quick === true ? QUICK_NOTE : '';
  const where = !subset ? '' : subset.kind === 'seeded' ? `; its subset: ${subset.count} samples drawn with seed ${subset.seed}` : `; its subset: the ${subset.count} listed samples of ${subset.file}`;
  return { label: 'protocol', text: `${name}${quick}${where}` };
}

/** One condition's settings without what its name already says (attack, norm, budget): "steps 10, step size 0.5/255, …". */
export function conditionSettingsText(settings: Settings): string {
  return describe(settings, NAMED_KEYS) || 'defaults';
}

/** The run's settings as labelled lines; empty for a suite without options or condition settings. */
export function runSettings(run: RunEntry): SettingLine[] {
  // A transfer run records its protocol and plans beside the run's identity, not as suite options.
  const options = (run.config.suiteOptions ?? (Array.isArray(run.config.plans) ? { protocol: run.config.protocol ?? null, plans: run.config.plans } : {})) as Settings;
  const lines: SettingLine[] = [];
  if ('plans' in options) lines.push(protocolLine(options));
  const plain = describe(options, PROTOCOL_KEYS);
  if (plain) lines.push({ label: 'options', text: plain });
  const recorded = (run.summary?.conditionSettings ?? {}) as Readonly<Record<string, Settings>>;
  for (const [condition, settings] of Object.entries(recorded)) lines.push({ label: condition, text: conditionSettingsText(settings) });
  // Runs stored before conditions recorded their settings: the plans, with the options they set explicitly.
  if (Object.keys(recorded).length === 0 && Array.isArray(options.plans)) {
    for (const plan of options.plans as readonly AttackPlan[]) {
      const budgets = plan.epsilons.map((e) => formatEpsilon(e, plan.norm)).join(', ') || 'no budget';
      const explicit = plan.options ? describe(plan.options as Settings, NAMED_KEYS) : '';
      lines.push({ label: `${plan.attack} ${plan.norm}`, text: `ε ${budgets}; ${explicit ? `${explicit}, other settings` : 'settings'} the attack's defaults` });
    }
  }
  return lines;
}

/** The settings as indented text lines, label column aligned. */
export function runSettingsText(run: RunEntry, indent = '  '): string {
  const lines = runSettings(run);
  const width = Math.max(0, ...lines.map((l) => l.label.length));
  return lines.map((l) => `${indent}${l.label.padEnd(width)}  ${l.text}\n`).join('');
}
