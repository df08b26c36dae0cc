// The standard ImageNet-1k class list (wnids in the index order every pretrained model uses).
import { existsSync, readFileSync } from 'node:fs';
import { RobustartError } from '../errors.js';
import { packagePath } from '../util/paths.js';

export const IMAGENET_WNIDS_FILE = 'data/imagenet/wnids.txt';

let cached: string[] | undefined;

export function imagenetWnids(): string[] {
  if (cached) return cached;
  const path = packagePath(IMAGENET_WNIDS_FILE);
  if (!existsSync(path)) throw new RobustartError(`the ImageNet class list ${IMAGENET_WNIDS_FILE} is missing from the robustart install; reinstall robustart`);
  const wnids = readFileSync(path, 'utf8').split(/\s+/).filter((w) => /^n\d{8}$/.test(w));
  if (wnids.length !== 1000) throw new RobustartError(`${IMAGENET_WNIDS_FILE} holds ${wnids.length} wnids, expected 1000; reinstall robustart`);
  cached = wnids;
  return wnids;
}
