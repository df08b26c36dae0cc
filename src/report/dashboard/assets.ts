// The dashboard's files: its page, script and style (dashboard/ in the package) and the plotting library,
// Observable Plot with d3, served from the installed packages (UMD builds) so nothing is fetched from a CDN.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../util/paths.js';

/** The package folder of an installed dependency, found from its entry point. */
function packageDir(name: string): string {
  const entry = fileURLToPath(import.meta.resolve(name));
  const marker = `/node_modules/${name}/`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate the installed package ${name} (entry ${entry})`);
  return entry.slice(0, at + marker.length);
}

export interface Asset {
  readonly file: string;
  readonly type: string;
}

/** Every file the dashboard serves, by the name its page uses. Nothing else is served. */
export function dashboardAssets(): Record<string, Asset> {
  return {
    'app.js': { file: packagePath('dashboard/app.js'), type: 'text/javascript; charset=utf-8' },
    'style.css': { file: packagePath('dashboard/style.css'), type: 'text/css; charset=utf-8' },
    'd3.min.js': { file: join(packageDir('d3'), 'dist/d3.min.js'), type: 'text/javascript; charset=utf-8' },
    'plot.min.js': { file: join(packageDir('@observablehq/plot'), 'dist/plot.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  };
}

/**
 * The page: static sites read data/*.json files, the server answers /api/ (polled for live updates); with
 * `queue`, the page also polls /api/queue for its queue panel.
 */
export function dashboardPage(mode: 'server' | 'static', { queue = false } = {}): string {
  const template = readFileSync(packagePath('dashboard/index.html'), 'utf8');
  return template.replace('__ROBUSTART_MODE__', mode).replace('__ROBUSTART_QUEUE__', String(queue && mode === 'server'));
}
