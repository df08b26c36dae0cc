// Model metadata in timm's field names (pretrained_cfg), read from ONNX metadata_props or a sidecar JSON.
import { existsSync, readFileSync } from 'node:fs';
import { z, lazyValue, type Zod } from '../util/native.js';
import { RobustartError } from '../errors.js';
import { MODEL_OUTPUTS } from './outputs.js';

export const INTERPOLATIONS = ['nearest', 'bilinear', 'bicubic', 'lanczos', 'box', 'hamming'] as const;
export type Interpolation = (typeof INTERPOLATIONS)[number];

export const FAMILIES = ['CNN', 'ViT', 'MLP', 'other'] as const;

export const modelMetadataSchema = lazyValue(() =>
  z
    .object({
      input_size: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
      interpolation: z.enum(INTERPOLATIONS).default('bicubic'),
      crop_pct: z.number().gt(0).lte(1).default(0.875),
      mean: z.tuple([z.number(), z.number(), z.number()]).default([0.485, 0.456, 0.406]),
      std: z.tuple([z.number(), z.number(), z.number()]).refine((s) => s.every((v) => v > 0), 'every std must be > 0').default([0.229, 0.224, 0.225]),
      num_classes: z.number().int().positive(),
      family: z.enum(FAMILIES).default('other'),
      labels: z.array(z.string()).optional(),
      /** Set when (x-mean)/std is already inside the graph: robustart then prepends nothing. */
      normalized_in_graph: z.boolean().default(false),
      architecture: z.string().optional(),
      /** Which graph output holds the logits, for models with several (default: the first). */
      output_name: z.string().optional(),
      /** What the output rows are: logits, or probabilities (a final softmax in the graph). */
      outputs: z.enum(MODEL_OUTPUTS).default('logits'),
    })
    .passthrough()
    .refine((m) => !m.labels || m.labels.length === m.num_classes, { message: 'labels must have num_classes entries', path: ['labels'] }),
);

export type ModelMetadata = Zod.output<typeof modelMetadataSchema>;

/** Timm's defaults (IMAGENET_DEFAULT_MEAN/STD, crop_pct 0.875, bicubic) fill fields a model leaves out. */
export function parseModelMetadata(raw: Record<string, unknown>, source: string): ModelMetadata {
  const result = modelMetadataSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || '(root)';
    const got = issue.path.length ? JSON.stringify(issue.path.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k as string], raw)) : '';
    throw new RobustartError(
      `model metadata in ${source}: field '${field}' ${issue.message.toLowerCase()}${got && got !== 'undefined' ? ` (got ${got})` : ''}; fix it in the sidecar JSON or metadata_props (fields as timm's pretrained_cfg: input_size, interpolation, crop_pct, mean, std, num_classes)`,
    );
  }
  return result.data;
}

/** ONNX metadata_props hold strings; robustart writes JSON values, plain strings are taken as they are. */
export function decodeMetadataProps(props: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    try {
      out[key] = JSON.parse(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}

export function sidecarPath(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.json';
}

/**
 * Merges metadata sources, later ones winning: metadata_props, then the sidecar `<model>.json`, then
 * values inferred from the graph (only for fields neither source gives).
 */
export function resolveModelMetadata(modelPath: string, props: Record<string, string>, inferred: { input_size?: [number, number, number]; num_classes?: number }): ModelMetadata {
  const fromGraph = decodeMetadataProps(props);
  let fromSidecar: Record<string, unknown> = {};
  const sidecar = sidecarPath(modelPath);
  if (existsSync(sidecar)) {
    try {
      fromSidecar = JSON.parse(readFileSync(sidecar, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new RobustartError(`sidecar metadata ${sidecar} is not valid JSON (${(err as Error).message}); fix or remove it`);
    }
    // timm's pretrained_cfg nests under "pretrained_cfg" in config.json files; accept both shapes.
    if (fromSidecar.pretrained_cfg && typeof fromSidecar.pretrained_cfg === 'object') {
      fromSidecar = { ...fromSidecar, ...(fromSidecar.pretrained_cfg as Record<string, unknown>) };
    }
  }
  const merged: Record<string, unknown> = { ...fromGraph, ...fromSidecar };
  if (merged.input_size === undefined && inferred.input_size) merged.input_size = inferred.input_size;
  if (merged.num_classes === undefined && inferred.num_classes) merged.num_classes = inferred.num_classes;
  const source = existsSync(sidecar) ? `${modelPath} + ${sidecar}` : modelPath;
  if (merged.input_size === undefined) {
    throw new RobustartError(`model metadata in ${source}: input_size is missing and the graph's input has no fixed height/width; add "input_size": [3, H, W] to ${sidecar}`);
  }
  return parseModelMetadata(merged, source);
}
