// Child process of setup-process.ts: runs one set-up job (argv[2], JSON) in this process — shape discovery of the
// graph on stdin, ORT's optimisation of a graph file into another, or building a graph from the one on stdin into a
// file and optimising it — sends the result to the parent over the IPC channel and exits, so the memory the job leaves
// behind goes back to the system. It exits at once when the parent goes.
import { optimizeToFile } from './runtime.js';
import { discoverShapesHere } from './shapes.js';
import { PARENT_PID_VARIABLE, exitWithParent, receiveGraph, type SetupJob, type SetupReply } from './setup-process.js';
import { RobustartError } from '../errors.js';

// The parent's going is seen twice: its IPC channel closing, and, while ORT's session creation and runs block this
// thread (they do not yield to the event loop, so 'disconnect' waits for them: an orphaned Swin-T discovery ran on for
// over a minute), by a worker thread that finds this process handed to another parent (exitWithParent).
process.on('disconnect', () => process.exit(1));
const parent = Number(process.env[PARENT_PID_VARIABLE]) || process.ppid;
if (!process.connected || process.ppid !== parent) process.exit(1);
exitWithParent(parent);

function reply(message: SetupReply): void {
  process.send!(message, undefined, {}, () => process.exit(0));
}

/** The graph (and its extra data) the parent wrote to stdin. */
async function graphOnStdin(): Promise<ReturnType<typeof receiveGraph>> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return receiveGraph(Buffer.concat(chunks.splice(0)));
}

async function run(job: SetupJob): Promise<unknown> {
  if (job.kind === 'optimize') {
    await optimizeToFile(job.from, job.to, job.options, job.plan, job.what);
    return null;
  }
  const { graph, extra } = await graphOnStdin();
  if (job.kind === 'shapes') return [...(await discoverShapesHere(graph, job.options))];
  // The graph builders sit above this layer: this process's entry loads them for the one job that needs them.
  const { buildGraphHere } = await import('../autodiff/build-apart.js');
  return buildGraphHere(graph, extra, job.spec);
}

try {
  reply({ ok: true, result: await run(JSON.parse(process.argv[2] ?? '{}') as SetupJob) });
} catch (err) {
  reply({ ok: false, error: String((err as Error).message ?? err).split('\n')[0], userError: err instanceof RobustartError });
}
