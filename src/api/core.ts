// robustart/core: The pieces every area shares: errors, seeded random streams, options declared as zod schemas.
export { RobustartError } from '../errors.js';
export { Rng, rngFor, hashString } from '../util/rng.js';
export { parseOptions, booleanOption, numberOption, commaListOption, NO_OPTIONS, InvalidOptionError, type OptionsSchema } from '../util/options.js';
