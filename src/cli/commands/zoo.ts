import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { numberFlag, requireFlag, stringFlag } from '../command.js';
import { RobustartError } from '../../errors.js';
import { humanCount, table } from '../format.js';
import { buildPreset, findPreset, graphWeights, loadWeights, summarizePreset, zooCatalogue, architectureNames, getArchitecture, type BuildRequest } from '../../model/zoo/index.js';
import { Graph } from '../../onnx/graph.js';
import { readModel, writeModel } from '../../onnx/proto.js';

const USAGE = [
  'robustart zoo list [--family F] [--json]     presets: name, family, params, MACs, resolution',
  'robustart zoo show NAME [--json]             a preset: options, reference model, counts',
  'robustart zoo build NAME --out model.onnx    build a preset as an ONNX model with timm metadata',
  'robustart zoo import NAME --from model.onnx --out model.onnx',
  '                                             put the weights of a torchvision/timm ONNX export (BatchNorm kept:',
  '                                             torch.onnx.export(..., training=TrainingMode.PRESERVE)) into the preset',
  '',
  '  --family F       CNN, ViT or MLP, or an architecture (resnet, vit, ...)',
  '  --width W        width multiplier (default 1)',
  '  --depth D        depth multiplier (default 1)',
  '  --resolution R   input side in pixels (default: the preset\'s native resolution)',
  '  --classes K      output classes (default: the preset\'s)',
  '  --channels C     input channels (default: the preset\'s)',
  '  --seed S         initialisation seed (default 0)',
  '  --json           machine-readable output',
].join('\n');

function buildRequest(values: Record<string, unknown>): BuildRequest {
  const optional = (name: string, integer: boolean) => (values[name] === undefined ? undefined : numberFlag(values, name, 0, { min: Number.MIN_VALUE, integer }));
  return {
    width: optional('width', false),
    depth: optional('depth', false),
    resolution: optional('resolution', true),
    classes: optional('classes', true),
    channels: optional('channels', true),
    seed: values.seed === undefined ? undefined : numberFlag(values, 'seed', 0, { integer: true, min: 0 }),
  };
}

export const zooCommand: Command = {
  name: 'zoo',
  summary: 'the model zoo: list, show, build and import RobustART architectures',
  usage: USAGE,
  options: {
    family: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
    from: { type: 'string' },
    width: { type: 'string' },
    depth: { type: 'string' },
    resolution: { type: 'string' },
    classes: { type: 'string' },
    channels: { type: 'string' },
    seed: { type: 'string' },
  },
  positionals: true,
  async run(values, positionals) {
    const [action, ...args] = positionals;
    const json = Boolean(values.json);
    const one = (usage: string) => {
      if (args.length !== 1) throw new RobustartError(`usage: robustart zoo ${usage}`);
      findPreset(args[0]);
      return args[0];
    };
    switch (action) {
      case 'list': {
        const family = stringFlag(values, 'family');
        const rows = zooCatalogue(family);
        if (family && rows.length === 0) throw new RobustartError(`--family ${family} matches no preset; use CNN, ViT, MLP or one of ${architectureNames().join(', ')}`);
        if (json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        process.stdout.write(
          table(
            ['name', 'family', 'architecture', 'params', 'MACs', 'resolution', 'reference'],
            rows.map((r) => [r.name, r.family, r.architecture, humanCount(r.parameters), humanCount(r.macs), `${r.channels}×${r.resolution}²`, r.reference ?? (r.small ? 'small (10 classes)' : '')]),
          ),
        );
        return;
      }
      case 'show': {
        const summary = summarizePreset(one('show NAME'), buildRequest(values));
        if (json) return void process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        process.stdout.write(
          `${summary.name}\n  family        ${summary.family}\n  architecture  ${summary.architecture}\n  reference     ${summary.reference ?? '-'}\n` +
            `  input         ${summary.channels}×${summary.resolution}×${summary.resolution}\n  classes       ${summary.classes}\n` +
            `  parameters    ${humanCount(summary.parameters)} (${summary.parameters})\n  MACs/image    ${humanCount(summary.macs)} (${summary.macs})\n` +
            `  options       ${JSON.stringify(summary.options)}\n`,
        );
        return;
      }
      case 'build': {
        const name = one('build NAME --out model.onnx');
        const out = resolve(requireFlag(values, 'out', 'zoo build'));
        const graph = buildPreset(name, buildRequest(values));
        writeModel(out, graph.toModel());
        process.stdout.write(json ? `${JSON.stringify({ name, out })}\n` : `wrote ${name} to ${out}\n`);
        return;
      }
      case 'import': {
        const name = one('import NAME --from model.onnx --out model.onnx');
        const from = resolve(requireFlag(values, 'from', 'zoo import'));
        const out = resolve(requireFlag(values, 'out', 'zoo import'));
        const source = Graph.fromModel(readModel(from));
        const aliases = getArchitecture(findPreset(name).architecture).weightAliases;
        const graph = loadWeights(buildPreset(name, { ...buildRequest(values), initialize: false }), graphWeights(source, aliases), from);
        writeModel(out, graph.toModel());
        process.stdout.write(json ? `${JSON.stringify({ name, from, out })}\n` : `wrote ${name} with the weights of ${from} to ${out}\n`);
        return;
      }
      default:
        throw new RobustartError(`robustart zoo: unknown action '${action ?? ''}'; use list, show, build or import`);
    }
  },
};
