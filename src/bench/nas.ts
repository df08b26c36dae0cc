// `npm run bench -- nas [--space resnet-imagenet] [--subnets 3] [--batch 8] [--gpu-tmacs 10]`: the per-subnet
// costs of a NAS study on this machine — extracting a subnet from the space's supernet, writing it,
// opening an inference session, forward images/s in inference and in BN-training (recalibration) form —
// and the mean MACs of 1,200 uniformly drawn subnets, then the projected time for 1,200 subnets on one GPU
// from those MACs at an assumed effective GPU throughput (--gpu-tmacs, tera-MACs per second; fixed costs
// as measured here).
import { createSession, tensor } from '../onnx/runtime.js';
import { loadSpace, type Choices } from '../nas/space.js';
import { buildSupernet } from '../nas/supernet.js';
import { extractSubnet } from '../nas/extract.js';
import { recalibrateBatchNorm, RECALIBRATION_IMAGES } from '../nas/recalibrate.js';
import { sampleSubnets } from '../nas/sample.js';
import { encodeModel } from '../onnx/proto.js';
import { packagePath } from '../util/paths.js';
import { Rng } from '../util/rng.js';
import { flag, option } from './_timing.js';

export async function run(args: string[]): Promise<void> {
  const spaceName = option(args, 'space', 'resnet-imagenet');
  const count = flag(args, 'subnets', 3);
  const batch = flag(args, 'batch', 8);
  const gpuTmacs = flag(args, 'gpu-tmacs', 10);
  const space = loadSpace(packagePath(`nas/spaces/${spaceName}.yaml`));
  const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

  let t = process.hrtime.bigint();
  const supernet = buildSupernet(space, { seed: 0 });
  process.stdout.write(`${space.name}: supernet built in ${seconds(t).toFixed(1)} s\n`);
  const drawn = sampleSubnets(space, 1200, 0);
  const meanMacs = drawn.reduce((a, s) => a + s.macs, 0) / drawn.length;
  process.stdout.write(`1,200 uniform subnets: mean ${(meanMacs / 1e9).toFixed(3)} GMACs, mean ${(drawn.reduce((a, s) => a + s.params, 0) / drawn.length / 1e6).toFixed(2)} M params\n`);

  const rows: { extract: number; write: number; session: number; forward: number; recalibration: number; macs: number }[] = [];
  for (const subnet of drawn.slice(0, count)) {
    const choices: Choices = subnet.choices;
    const r = choices.resolution;
    t = process.hrtime.bigint();
    const graph = extractSubnet(space, supernet.graph, choices);
    const extract = seconds(t);
    t = process.hrtime.bigint();
    const bytes = encodeModel(graph.toModel());
    const write = seconds(t);
    t = process.hrtime.bigint();
    const session = await createSession(bytes);
    const sessionSeconds = seconds(t);
    const rng = new Rng(1);
    const images = Float32Array.from({ length: batch * 3 * r * r }, () => rng.uniform());
    await session.run({ input: tensor('float32', images, [batch, 3, r, r]) });
    t = process.hrtime.bigint();
    await session.run({ input: tensor('float32', images, [batch, 3, r, r]) });
    const forward = batch / seconds(t);
    await session.release();
    // Recalibration over two batches: training-form BN, its own session included.
    const data = { count: 2 * batch, label: () => 0, pixels: (idx: ArrayLike<number>) => images.subarray(0, idx.length * 3 * r * r).slice() };
    t = process.hrtime.bigint();
    await recalibrateBatchNorm(graph, data, { indices: Array.from({ length: 2 * batch }, (_, i) => i % batch), batchSize: batch, normalization: { mean: [0, 0, 0], std: [1, 1, 1] } });
    const recalibration = (2 * batch) / seconds(t);
    rows.push({ extract, write, session: sessionSeconds, forward, recalibration, macs: subnet.macs });
    process.stdout.write(`${subnet.name} (${(subnet.macs / 1e9).toFixed(3)} GMACs at ${r}): extract ${extract.toFixed(2)} s, encode ${write.toFixed(2)} s, session ${sessionSeconds.toFixed(2)} s, forward ${forward.toFixed(1)} img/s (${((forward * subnet.macs) / 1e9).toFixed(1)} GMAC/s), recalibration incl. session ${recalibration.toFixed(1)} img/s\n`);
  }
  const mean = (key: 'extract' | 'write' | 'session') => rows.reduce((a, x) => a + x[key], 0) / rows.length;
  const fixed = mean('extract') + mean('write') + 2 * mean('session');
  const cpuMacRate = rows.reduce((a, x) => a + x.forward * x.macs, 0) / rows.length;
  // Per subnet: recalibration (4,096 forwards) + clean ImageNet val (50,000) + a quick robustness set
  // (4 corruptions x 3 severities on 5,000 images = 60,000 forwards; PGD-10 + FGSM on 500 images ~ 500 x (10 x 3 + 1 + 2) MAC-equivalents).
  const protocols = [
    { name: 'recalibrate + clean val (50k)', forwards: RECALIBRATION_IMAGES + 50_000 },
    { name: 'recalibrate + clean 50k + 12 corruption conditions on 5k + PGD-10/FGSM on 500', forwards: RECALIBRATION_IMAGES + 50_000 + 60_000 + 500 * 33 },
  ];
  process.stdout.write(`fixed cost per subnet here (extract + encode + 2 sessions): ${fixed.toFixed(2)} s; CPU forward rate ${(cpuMacRate / 1e9).toFixed(1)} GMAC/s at batch ${batch}\n`);
  for (const p of protocols) {
    const computeHours = (1200 * meanMacs * p.forwards) / (gpuTmacs * 1e12) / 3600;
    const fixedHours = (1200 * fixed) / 3600;
    const cpuHours = (1200 * meanMacs * p.forwards) / cpuMacRate / 3600;
    process.stdout.write(`projection, 1,200 subnets, ${p.name}: GPU at ${gpuTmacs} TMAC/s effective ${computeHours.toFixed(1)} h compute + ${fixedHours.toFixed(1)} h fixed = ${(computeHours + fixedHours).toFixed(1)} h (this CPU: ${cpuHours.toFixed(0)} h)\n`);
  }
}
