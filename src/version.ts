import { readFileSync } from 'node:fs';

/** The package version, read from package.json so results record exactly what produced them. */
export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
