// Drawing subnets of a space: `uniform` (each dimension uniform, distinct subnets in draw order) or
// `macs` (stratified by MACs: a uniform pool five times the request, cut into equal-width MAC bands, taken
// round-robin across bands so small and large subnets are equally represented). Deterministic per seed.
import { RobustartError } from '../errors.js';
import { hashString, rngFor } from '../util/rng.js';
import { parameterCount, macCount } from '../model/zoo/complexity.js';
import { buildSubnet } from './supernet.js';
import { dimensions, randomChoices, subnetId, type SearchSpace, type Choices } from './space.js';

export const SAMPLING_STRATEGIES = ['uniform', 'macs'] as const;
export type SamplingStrategy = (typeof SAMPLING_STRATEGIES)[number];

/** MAC bands of the stratified draw. */
export const MAC_STRATA = 10;
/** The stratified draw picks from a uniform pool this many times the request. */
const POOL_FACTOR = 5;

export interface SubnetSummary {
  /** `<space>/<id>`: the name in the model registry. */
  readonly name: string;
  readonly id: string;
  readonly choices: Choices;
  readonly params: number;
  readonly macs: number;
}

/** Number of distinct subnets of the space. */
export function spaceSize(space: SearchSpace): number {
  return dimensions(space).reduce((a, d) => a * d.values.length, 1);
}

/** Parameters and MACs per image of one subnet, from a shapes-only build (no weights). */
export function summarizeSubnet(space: SearchSpace, choices: Choices): SubnetSummary {
  const graph = buildSubnet(space, choices, { shapesOnly: true });
  const id = subnetId(choices);
  return { name: `${space.name}/${id}`, id, choices, params: parameterCount(graph), macs: macCount(graph) };
}

function distinctUniform(space: SearchSpace, n: number, seed: number): Choices[] {
  const rng = rngFor(seed, hashString('nas-sample'));
  const seen = new Set<string>();
  const out: Choices[] = [];
  // Distinct draws get rare only when n nears the space's size; the cap keeps that case finite.
  for (let attempt = 0; out.length < n && attempt < 1000 * n; attempt++) {
    const choices = randomChoices(space, rng);
    const id = subnetId(choices);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(choices);
  }
  if (out.length < n) throw new RobustartError(`drew only ${out.length} distinct subnets of space ${space.name} for ${n} requested; ask for fewer`);
  return out;
}

/** `n` distinct subnets of `space`, the same for the same seed. */
export function sampleSubnets(space: SearchSpace, n: number, seed: number, strategy: SamplingStrategy = 'uniform'): SubnetSummary[] {
  const size = spaceSize(space);
  if (!Number.isInteger(n) || n < 1) throw new RobustartError(`the number of subnets must be a positive integer, not ${n}`);
  if (n > size) throw new RobustartError(`space ${space.name} has ${size} distinct subnets, fewer than the ${n} requested; ask for at most ${size}`);
  if (strategy === 'uniform') return distinctUniform(space, n, seed).map((c) => summarizeSubnet(space, c));
  const pool = distinctUniform(space, Math.min(size, POOL_FACTOR * n), seed).map((c) => summarizeSubnet(space, c));
  const lo = Math.min(...pool.map((s) => s.macs));
  const hi = Math.max(...pool.map((s) => s.macs));
  const bands: SubnetSummary[][] = Array.from({ length: MAC_STRATA }, () => []);
  for (const s of pool) bands[Math.min(MAC_STRATA - 1, Math.floor(((s.macs - lo) / Math.max(1, hi - lo)) * MAC_STRATA))].push(s);
  const out: SubnetSummary[] = [];
  for (let round = 0; out.length < n; round++) for (const band of bands) if (round < band.length && out.length < n) out.push(band[round]);
  return out;
}
