import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino, type Logger } from 'pino';
import { deleteEventsBefore } from './audit/event-store.js';
import {
  createAccount,
  defaultAccountId,
  IdentityDirectory,
  type IssuedKey,
} from './auth/identity-store.js';
import type { SecretBox } from './auth/secret-box.js';
import type { ServerConfig } from './config.js';
import { openDataDir, writeCredentialFiles } from './data-dir.js';
import { attachDataChannel } from './exec/data-channel-server.js';
import { ExecSessions } from './exec/sessions.js';
import { createGateway } from './gateway/http-server.js';
import { RETENTION_MS } from './services/cloudtrail/event-history.js';
import { ALL_SERVICES } from './services/coverage.js';
import { ObjectFiles } from './services/s3/object-files.js';
import type { TrailDelivery } from './trails/delivery.js';
import { createTrailDelivery } from './trails/sinks.js';
import type { SharedState } from './services/service.js';
import { allRegions } from './partitions.js';
import { BwrapDriver } from './runtime/bwrap-driver.js';
import type { ContainerDriver } from './runtime/driver.js';
import { readRegistryAuthFile } from './runtime/images/auth-file.js';
import { ImageStore } from './runtime/images/index.js';
import { Reconciler } from './runtime/reconciler.js';
import { closeStore } from './store/db.js';
import { GroupCommit } from './store/group-commit.js';
import type { Database } from './store/schema.js';
import { systemClock, type Clock } from './util/clock.js';
import { randomIds, type IdSource } from './util/ids.js';
import { TokenBuckets } from './util/token-buckets.js';
import type { KeyAndCertificate } from './tls/certificates.js';
import { createHttpsServer, serverTlsMaterial } from './tls/https-listener.js';

/** A running fedgate. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** `https://<host>:<tlsPort>` when serving TLS. */
  readonly tlsUrl?: string;
  readonly tlsPort?: number;
  readonly db: Kysely<Database>;
  /** The root key created by this start, when it created the first account. */
  readonly bootstrapped?: IssuedKey;
  /** The trail delivery worker; `flush()` delivers now instead of at the next interval. */
  readonly trails: TrailDelivery;
  close(): Promise<void>;
}

/** Test seams: where time, randomness and log lines come from. */
export interface ServerSeams {
  readonly clock?: Clock;
  readonly ids?: IdSource;
  readonly logger?: Logger;
  /** Runs task containers; bubblewrap on this host by default. */
  readonly driver?: ContainerDriver;
}

const RETENTION_SWEEP_MS = 60 * 60 * 1000;

/**
 * Opens the data directory, bootstraps the first account and starts serving HTTP, and HTTPS
 * beside it when `config.tls` is set.
 */
export async function startServer(
  config: ServerConfig,
  seams: ServerSeams = {},
): Promise<RunningServer> {
  const clock = seams.clock ?? systemClock;
  const ids = seams.ids ?? randomIds;
  const logger = seams.logger ?? pino({ level: config.logLevel });
  const { db, box } = await openDataDir(config.dataDir, { backgroundCheckpoints: true });
  // Certificates first: a bad --tls-cert must stop the start before anything runs or listens.
  const material = config.tls
    ? await serverTlsMaterial(config, box).catch(async (err: unknown) => {
        await closeStore(db);
        throw err;
      })
    : undefined;
  const bootstrapped = await bootstrap(db, box, config, clock, ids);

  const commits = new GroupCommit(db);
  const objects = new ObjectFiles(join(config.dataDir, 's3'), db);
  await objects.sweepOrphans(db);
  const reconciler = createReconciler(config, seams, commits, logger);
  const buckets = new TokenBuckets(clock);
  const sessions = new ExecSessions(clock);
  const shared: SharedState = {
    takeToken: (bucket, rate, burst) => buckets.take(bucket, rate, burst),
    lookupEventsRate: config.lookupEventsRate,
    tasks: reconciler,
    sessions,
    objects,
    ...(config.trailS3 ? { trailS3Endpoint: config.trailS3.endpoint } : {}),
  };
  const trails = createTrailDelivery(config, { commits, box, clock, logger, files: objects });
  const gateway = createGateway({
    services: ALL_SERVICES,
    directory: new IdentityDirectory(db, box),
    commits,
    clock,
    ids,
    shared,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    maxObjectBytes: config.maxObjectBytes,
  });

  const handler = (req: IncomingMessage, res: ServerResponse) => void gateway(req, res);
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  // ECS Exec's data channel shares the API's port, as its streamUrl names the API's host.
  const channel = { sessions, commits, clock, logger };
  const endSessions = [attachDataChannel(server, channel)];
  const port = await listen(server, config.host, config.port);
  const secure = material
    ? await startHttps(config, material, handler, logger).catch(async (err: unknown) => {
        await closeServer(server);
        throw err;
      })
    : undefined;
  if (secure) endSessions.push(attachDataChannel(secure.server, channel));
  const sweeper = startRetentionSweep(db, clock, logger);
  reconciler.start();
  trails.start();
  logger.info({ host: config.host, port, dataDir: config.dataDir }, 'fedgate listening');

  return {
    url: `http://${config.host}:${port}`,
    port,
    ...(secure ? { tlsUrl: `https://${config.host}:${secure.port}`, tlsPort: secure.port } : {}),
    db,
    bootstrapped,
    trails,
    close: async () => {
      clearInterval(sweeper);
      await trails.close();
      for (const end of endSessions) end();
      await Promise.all([closeServer(server), ...(secure ? [closeServer(secure.server)] : [])]);
      // Containers die with fedgate; their tasks are recorded STOPPED before the store closes.
      await reconciler.close();
      await closeStore(db);
    },
  };
}

/** The task reconciler with its container driver and image cache. */
function createReconciler(
  config: ServerConfig,
  seams: ServerSeams,
  commits: GroupCommit,
  logger: Logger,
): Reconciler {
  const images = new ImageStore({
    dir: config.imagesDir ?? join(config.dataDir, 'images'),
    insecureRegistries: config.insecureRegistries,
    ...(config.registryAuthFile
      ? { credentials: readRegistryAuthFile(config.registryAuthFile) }
      : {}),
  });
  const driver = seams.driver ?? new BwrapDriver({ logger });
  const clock = seams.clock ?? systemClock;
  return new Reconciler({ commits, driver, images, clock, logger, dataDir: config.dataDir });
}

/** Creates the first account (or the one the environment fixes) and its credentials file. */
async function bootstrap(
  db: Kysely<Database>,
  box: SecretBox,
  config: ServerConfig,
  clock: Clock,
  ids: IdSource,
) {
  const fixed = config.fixedRoot;
  const existing = await db
    .selectFrom('accounts')
    .select('account_id')
    .where('account_id', '=', fixed.accountId ?? '')
    .executeTakeFirst();
  const needed = fixed.accountId
    ? existing === undefined
    : (await defaultAccountId(db)) === undefined;
  if (!needed) return undefined;

  const key = await createAccount(db, { box, clock, ids }, fixed);
  writeCredentialFiles(config.dataDir, key, config.region);
  return key;
}

/** The HTTPS listener on `tlsPort`, sharing the HTTP listener's request handler. */
async function startHttps(
  config: ServerConfig,
  material: KeyAndCertificate,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  logger: Logger,
): Promise<{ server: HttpsServer; port: number }> {
  const server = createHttpsServer(material, config.tlsMaxVersion, handler, logger);
  const port = await listen(server, config.host, config.tlsPort);
  logger.info({ host: config.host, port, maxVersion: config.tlsMaxVersion }, 'fedgate HTTPS');
  return { server, port };
}

function listen(server: Server | HttpsServer, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeIdleConnections();
  });
}

/** Event history keeps 90 days; older events are deleted hourly, account by account. */
function startRetentionSweep(db: Kysely<Database>, clock: Clock, logger: Logger) {
  const sweep = async () => {
    const before = clock.now().getTime() - RETENTION_MS;
    const accounts = await db.selectFrom('accounts').select('account_id').execute();
    let deleted = 0;
    for (const { account_id: accountId } of accounts) {
      for (const region of allRegions()) {
        deleted += await deleteEventsBefore(db, accountId, region.name, before);
      }
    }
    if (deleted > 0) logger.info({ deleted }, 'event history retention sweep');
  };
  const run = () => void sweep().catch((err) => logger.error({ err }, 'retention sweep failed'));
  const timer = setInterval(run, RETENTION_SWEEP_MS);
  timer.unref();
  run();
  return timer;
}
