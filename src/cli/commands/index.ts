// The table of CLI subcommands. A new command is one file in this folder and one line here.
import type { Command } from '../command.js';
import { evalCommand } from './eval.js';

export const commands: Command[] = [
  evalCommand,
];
