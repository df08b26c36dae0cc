// The table of CLI subcommands. A new command is one file in this folder and one line here.
import type { Command } from '../command.js';
import { evalCommand } from './eval.js';
import { modelsCommand } from './models.js';
import { resultsCommand } from './results.js';
import { demoCommand } from './demo.js';
import { reportCommand } from './report.js';
import { gradCommand } from './grad.js';
import { corruptCommand } from './corrupt.js';
import { attackCommand } from './attack.js';
import { transferCommand } from './transfer.js';
import { trainCommand } from './train.js';
import { systemNoiseCommand } from './system-noise.js';
import { zooCommand } from './zoo.js';
import { studyCommand } from './study.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';
import { queueCommand } from './queue.js';
import { nasCommand } from './nas.js';

export const commands: Command[] = [
  evalCommand,
  modelsCommand,
  resultsCommand,
  reportCommand,
  demoCommand,
  gradCommand,
  corruptCommand,
  trainCommand,
  systemNoiseCommand,
  attackCommand,
  transferCommand,
  zooCommand,
  studyCommand,
  serveCommand,
  workerCommand,
  queueCommand,
  nasCommand,
];
