// The registry of evaluation suites. Built-ins register through the same call as outside suites: a new
// built-in is one file in this folder and one registerSuite line here.
import { RobustartError } from '../../errors.js';
import type { OptionsSchema } from '../../util/options.js';
import type { Suite } from '../suite.js';
import { cleanSuite } from './clean.js';
import { naturalSuite } from './natural.js';
import { systemSuite } from './system.js';
import { adversarialSuite } from './adversarial.js';
import { imagenetASuite, imagenetOSuite, imagenetRSuite } from './imagenet-variants.js';

/** Every registered suite, in registration order. */
export const suites: Suite[] = [];

/** Makes a suite runnable by name (`runEvaluation({ suite: name })`, `robustart eval --suite name`). */
export function registerSuite<S extends OptionsSchema>(suite: Suite<S>): Suite<S> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(suite.name)) throw new RobustartError(`suite name '${suite.name}' must be lower-case letters, digits and dashes`);
  if (suites.some((s) => s.name === suite.name)) throw new RobustartError(`a suite named ${suite.name} is already registered; choose another name`);
  suites.push(suite as unknown as Suite);
  return suite;
}

export function findSuite(name: string): Suite {
  const suite = suites.find((s) => s.name === name);
  if (!suite) throw new RobustartError(`unknown suite '${name}'; available: ${suites.map((s) => s.name).join(', ')}`);
  return suite;
}

export function suiteNames(): string[] {
  return suites.map((s) => s.name);
}

registerSuite(cleanSuite);
registerSuite(naturalSuite);
registerSuite(systemSuite);
registerSuite(adversarialSuite);
registerSuite(imagenetASuite);
registerSuite(imagenetRSuite);
registerSuite(imagenetOSuite);
