import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { ResultStore } from '../../store/store.js';
import { loadModelFile } from '../../model/load.js';
import { resolveModel, BUNDLED_MODELS } from '../../model/resolve.js';
import { countMacs } from '../../model/complexity.js';
import { humanCount, table } from '../format.js';

/** Shapes are discovered in this process: a one-shot command's memory goes back to the system when it exits, and a child process would cost its start (about 1 s of CPU). */
const IN_THIS_PROCESS = { setupProcessAboveBytes: Infinity };

const USAGE = [
  'robustart models list                 registered and bundled models',
  'robustart models add NAME PATH        register an .onnx file under NAME (validates it, counts params and MACs)',
  'robustart models show NAME|PATH       metadata, parameters, MACs',
  'robustart models remove NAME          forget a registered model (the file stays)',
  '',
  '  --store PATH   results database (default .robustart/results.db or $ROBUSTART_STORE)',
  '  --json         machine-readable output',
].join('\n');

export const modelsCommand: Command = {
  name: 'models',
  summary: 'the model registry: list, add, show, remove',
  usage: USAGE,
  options: { store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(values, positionals) {
    const [action, ...args] = positionals;
    const json = Boolean(values.json);
    const store = new ResultStore(stringFlag(values, 'store'));
    try {
      switch (action) {
        case 'list': {
          const entries = [
            ...store.listModels().map((m) => ({ name: m.name, path: m.path, parameters: m.parameters, macs: m.macs, family: String(m.metadata.family ?? ''), source: 'registered' })),
            ...Object.entries(BUNDLED_MODELS).map(([name, path]) => ({ name, path, parameters: null, macs: null, family: '', source: 'bundled' })),
          ];
          if (json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
          process.stdout.write(table(['name', 'source', 'family', 'params', 'MACs', 'path'], entries.map((e) => [e.name, e.source, e.family, humanCount(e.parameters), humanCount(e.macs), e.path])));
          return;
        }
        case 'add': {
          if (args.length !== 2) throw new RobustartError('usage: robustart models add NAME PATH');
          const [name, path] = args;
          if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new RobustartError(`model name '${name}' must be letters, digits, '.', '_' or '-'`);
          // A registered name is looked up first: one equal to a bundled model's would silently replace it.
          if (BUNDLED_MODELS[name]) throw new RobustartError(`${name} is a bundled model; register yours under another name`);
          const model = loadModelFile(resolve(path), name);
          const macs = await countMacs(model.original, IN_THIS_PROCESS);
          store.putModel({ name, path: model.path, sha256: model.sha256, metadata: model.metadata, parameters: model.parameters, macs });
          process.stdout.write(json ? `${JSON.stringify({ name, path: model.path, parameters: model.parameters, macs })}\n` : `registered ${name}: ${humanCount(model.parameters)} parameters, ${humanCount(macs)} MACs per image\n`);
          return;
        }
        case 'show': {
          if (args.length !== 1) throw new RobustartError('usage: robustart models show NAME|PATH');
          const model = resolveModel(args[0], store);
          const macs = store.getModel(args[0])?.macs ?? (await countMacs(model.original, IN_THIS_PROCESS));
          const info = { name: model.name, path: model.path, sha256: model.sha256, opset: model.opset, input: model.inputName, output: model.outputName, parameters: model.parameters, macs, metadata: model.metadata };
          if (json) return void process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
          const { labels, ...rest } = model.metadata;
          process.stdout.write(
            `${model.name}\n  path        ${model.path}\n  sha256      ${model.sha256}\n  opset       ${model.opset}\n  io          ${model.inputName} -> ${model.outputName}\n  parameters  ${humanCount(model.parameters)} (${model.parameters})\n  MACs/image  ${humanCount(macs)} (${macs})\n` +
              Object.entries(rest).map(([k, v]) => `  ${k.padEnd(11)} ${JSON.stringify(v)}\n`).join('') +
              (labels ? `  labels      ${labels.length} (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', ...' : ''})\n` : ''),
          );
          return;
        }
        case 'remove': {
          if (args.length !== 1) throw new RobustartError('usage: robustart models remove NAME');
          if (!store.removeModel(args[0])) throw new RobustartError(`no registered model '${args[0]}'; robustart models list shows them`);
          process.stdout.write(`removed ${args[0]}\n`);
          return;
        }
        default:
          throw new RobustartError(`robustart models: unknown action '${action ?? ''}'; use list, add, show or remove`);
      }
    } finally {
      store.close();
    }
  },
};
