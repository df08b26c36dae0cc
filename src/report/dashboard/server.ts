// `robustart serve`: a read-only JSON API over the results store plus the dashboard pages. Loopback by default;
// on any other address every request needs the token. Only GET/HEAD, only the routes below, no path outside them.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nodeCrypto, fastify, z, lazyValue, type Zod } from '../../util/native.js';
import { RobustartError } from '../../errors.js';
import { ResultStore } from '../../store/store.js';
import { dashboardAssets, dashboardPage } from './assets.js';
import { dashboardPayload, leaderboardQuerySchema, modelPayload, nasPayload, studiesPayload, studyByName, NasSpaceNotFoundError, StudyNotFoundError, ModelNotFoundError } from './data.js';
import { nasSpaces } from '../../nas/stored-subnets.js';
import { studyStatus } from '../../study/cells.js';
import { StudyState } from '../../study/state.js';
import type { QueueProgress } from '../../queue/progress.js';

export interface DashboardServerOptions {
  readonly store: ResultStore;
  readonly host?: string;
  readonly port?: number;
  /** Required for non-loopback hosts; generated when absent there. */
  readonly token?: string;
  /** The shard queue's figures (`openQueueMonitor`): adds GET /api/queue and the page's queue panel. */
  readonly queue?: { progress(): Promise<QueueProgress> };
}

export interface DashboardServer {
  readonly url: string;
  /** The token requests must carry (null on loopback without one). */
  readonly token: string | null;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const TOKEN_COOKIE = 'robustart_token';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A request path that climbs out of its folder, hides a backslash or a NUL, or cannot be decoded. */
export function isTraversal(rawUrl: string): boolean {
  let path = rawUrl.split('?')[0];
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return true;
    }
    if (decoded === path) break;
    path = decoded;
  }
  return path.includes('\\') || path.includes('\0') || path.split('/').some((segment) => segment === '..' || segment === '.');
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && nodeCrypto.timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v;
  }
  return undefined;
}

const studyParams = lazyValue(() => z.object({ study: z.string().min(1).max(200) }).strict());
const modelParams = lazyValue(() => z.object({ study: z.string().min(1).max(200), model: z.string().min(1).max(200) }).strict());
const spaceParams = lazyValue(() => z.object({ space: z.string().min(1).max(200) }).strict());
const datasetQuery = lazyValue(() => z.object({ dataset: z.string().min(1).optional() }).strict());
const noQuery = lazyValue(() => z.object({}).strict());

class BadRequest extends RobustartError {}

function parse<T>(schema: Zod.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(`bad ${what}: ${issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || ''} ${issue.message}`.trim());
  }
  return parsed.data;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? (isLoopback(host) ? null : nodeCrypto.randomBytes(24).toString('base64url'));
  const store = options.store;
  const assets = dashboardAssets();
  const page = dashboardPage('server', { queue: options.queue !== undefined });
  const app = fastify({ logger: false, routerOptions: { maxParamLength: 300 }, return503OnClosing: true });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(405).header('allow', 'GET, HEAD').send({ error: 'the dashboard is read-only: GET and HEAD only' });
    if (isTraversal(request.raw.url ?? '/')) return reply.code(400).send({ error: 'path traversal is not allowed' });
    if (token === null) return;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const query = (request.query as Record<string, unknown> | undefined)?.token;
    const fromQuery = typeof query === 'string' ? query : undefined;
    if (sameToken(bearer, token) || sameToken(cookieToken(request.headers.cookie), token)) return;
    if (sameToken(fromQuery, token)) {
      // A browser opening the printed link keeps the token for the page's scripts and API calls.
      reply.header('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    return reply.code(401).send({ error: 'this dashboard needs its token: open the link robustart serve printed, or send Authorization: Bearer <token>' });
  });

  const withoutToken = (query: unknown) => {
    const { token: _ignored, ...rest } = (query ?? {}) as Record<string, unknown>;
    return rest;
  };

  app.get('/', async (request, reply) => {
    parse(noQuery, withoutToken(request.query), 'query');
    return reply.type('text/html; charset=utf-8').send(page);
  });
  app.get('/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return reply.code(404).send({ error: `no asset '${name}'` });
    return reply.type(asset.type).header('cache-control', 'no-cache').send(readFileSync(asset.file));
  });
  app.get('/api/studies', async (request) => {
    parse(noQuery, withoutToken(request.query), 'query');
    return studiesPayload(store);
  });
  app.get('/api/studies/:study/dashboard', async (request) => {
    const { study } = parse(studyParams, request.params, 'path');
    return dashboardPayload(store, study, parse(leaderboardQuerySchema, withoutToken(request.query), 'query'));
  });
  app.get('/api/studies/:study/status', async (request) => {
    const { study } = parse(studyParams, request.params, 'path');
    parse(noQuery, withoutToken(request.query), 'query');
    return studyStatus(studyByName(store, study), new StudyState(store), (id) => store.getRun(id)?.status === 'finished');
  });
  app.get('/api/queue', async (request, reply) => {
    parse(noQuery, withoutToken(request.query), 'query');
    if (!options.queue) return reply.code(404).send({ error: 'this dashboard watches no queue; start robustart serve with the queue\'s address' });
    return options.queue.progress();
  });
  app.get('/api/studies/:study/models/:model', async (request) => {
    const { study, model } = parse(modelParams, request.params, 'path');
    return modelPayload(store, study, model, parse(datasetQuery, withoutToken(request.query), 'query').dataset);
  });

  app.get('/api/nas', async (request) => {
    parse(noQuery, withoutToken(request.query), 'query');
    return nasSpaces(store);
  });
  app.get('/api/nas/:space', async (request) => {
    const { space } = parse(spaceParams, request.params, 'path');
    return nasPayload(store, space, parse(datasetQuery, withoutToken(request.query), 'query').dataset);
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof StudyNotFoundError || err instanceof ModelNotFoundError || err instanceof NasSpaceNotFoundError) return reply.code(404).send({ error: err.message });
    if (err instanceof RobustartError) return reply.code(400).send({ error: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ error: (err as Error).message });
    return reply.code(500).send({ error: `internal error: ${(err as Error).message}` });
  });

  let address: string;
  try {
    address = await app.listen({ host, port: options.port ?? 8080 });
  } catch (err) {
    throw new RobustartError(`cannot listen on ${host}:${options.port ?? 8080} (${(err as Error).message}); choose another port or host`);
  }
  return { url: address, token, app, close: () => app.close() };
}
