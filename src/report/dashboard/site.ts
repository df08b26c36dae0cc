// `robustart study export --site DIR`: the dashboard as static files (page, assets, one JSON file per payload).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultStore } from '../../store/store.js';
import type { Study } from '../../study/config.js';
import { dashboardAssets, dashboardPage } from './assets.js';
import { nasSpaces } from '../../nas/stored-subnets.js';
import { dashboardPayload, modelPayload, nasPayload, studiesPayload } from './data.js';

/** File of a payload in a static site; the page computes the same paths (dashboard/app.js, staticPath). */
export function staticDataPath(...parts: string[]): string {
  return join('data', ...parts.map((p) => encodeURIComponent(p)));
}

export function writeSite(store: ResultStore, studies: readonly Study[], dir: string): string[] {
  const written: string[] = [];
  const write = (relative: string, content: string) => {
    const path = join(dir, relative);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    written.push(relative);
  };
  write('index.html', dashboardPage('static'));
  mkdirSync(join(dir, 'assets'), { recursive: true });
  for (const [name, asset] of Object.entries(dashboardAssets())) {
    copyFileSync(asset.file, join(dir, 'assets', name));
    written.push(join('assets', name));
  }
  const names = new Set(studies.map((s) => s.name));
  write(staticDataPath('studies.json'), JSON.stringify(studiesPayload(store).filter((s) => names.has(s.name))));
  for (const study of studies) {
    for (const dataset of study.datasets) {
      const payload = dashboardPayload(store, study.name, { dataset: dataset.name });
      write(staticDataPath(study.name, dataset.name, 'dashboard.json'), JSON.stringify(payload));
      for (const row of payload.leaderboard.rows) {
        write(staticDataPath(study.name, dataset.name, 'models', `${row.name}.json`), JSON.stringify(modelPayload(store, study.name, row.name, dataset.name)));
      }
    }
  }
  // The NAS view: the spaces (an empty list hides the view), then one analysis per space and dataset.
  const spaces = nasSpaces(store);
  write(staticDataPath('nas.json'), JSON.stringify(spaces));
  for (const space of spaces) {
    for (const dataset of space.datasets.length ? space.datasets.map((d) => d.fingerprint) : [undefined]) {
      write(staticDataPath('nas', space.space, `${dataset ?? 'none'}.json`), JSON.stringify(nasPayload(store, space.space, dataset, spaces)));
    }
  }
  return written;
}
