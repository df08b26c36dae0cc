// The table of CLI subcommands. A new command is one file in this folder and one line here.
import type { Command } from '../command.js';
import { evalCommand } from './eval.js';
import { modelsCommand } from './models.js';
import { resultsCommand } from './results.js';
import { demoCommand } from './demo.js';
import { reportCommand } from './report.js';

export const commands: Command[] = [
  evalCommand,
  modelsCommand,
  resultsCommand,
  reportCommand,
  demoCommand,
];
