/**
 * `npm run bench`: fedgate against moto and a bare Node.js server under the
 * same load, then LookupEvents latency over a seeded million-event history,
 * then task start (RunTask → RUNNING) on a fedgate of its own beside moto's RunTask,
 * then ECS Exec (ExecuteCommand → first output byte) on that same fedgate, then trail
 * delivery of the seeded events (and validate-logs over it) on a fedgate of its own.
 * The TLS scenario (HTTP vs HTTPS with keep-alive, new handshakes per second) runs right after
 * the throughput one, on a fedgate of its own with `--tls` beside a bare HTTPS server.
 * Progress goes to stderr; the Markdown report to stdout and bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkSignatureEnforced, probeStatus } from './checks.js';
import { cleanUpNow, installCleanup, onCleanup } from './children.js';
import { closeConnections } from './http-client.js';
import { lookupKinds } from './lookup-kinds.js';
import { measureLookups } from './lookups.js';
import { currentLoad, machineInfo } from './machine.js';
import { lookupEvents, REGION, THROUGHPUT_OPERATIONS } from './operations.js';
import { parseOptions, type BenchOptions } from './options.js';
import { startBare, startFedgate, startMoto, type Peer } from './peers.js';
import { writeReport, type BenchResult } from './report.js';
import { removeStaleCopies, seededStore, workingCopy } from './seed-cache.js';
import type { SeedMeta, SeededStore } from './seed-cache.js';
import type { Credentials } from './sign.js';
import { measureTasks } from './tasks.js';
import { measureOperation, type ThroughputRow } from './throughput.js';
import { measureTls } from './tls.js';
import { measureTrails } from './trails.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const RESULTS_DIR = join(BENCH_DIR, 'results');
/**
 * Seeded stores and per-run copies. Under results/ because the root .gitignore
 * ignores it and Prettier reads that file: a 2 GB database anywhere else in
 * bench/ makes `prettier --check` fail.
 */
const CACHE_DIR = join(RESULTS_DIR, '.cache');
const ACCOUNT_ID = '123456789012';

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = currentLoad();
  const options = parseOptions(process.argv.slice(2));
  installCleanup();
  if (options.build) build();

  const store = await seededStore({
    cacheDir: CACHE_DIR,
    count: options.events,
    accountId: ACCOUNT_ID,
    region: REGION,
    reseed: options.reseed,
  });
  removeStaleCopies(CACHE_DIR);
  const dataDir = workingCopy(store, join(CACHE_DIR, `run-${process.pid}`));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));

  const credentials = randomCredentials();
  const cpuProfileDir = options.cpuProf ? join(RESULTS_DIR, `cpu-prof-${today()}`) : undefined;
  const { peers, fedgateStartSeconds } = await startPeers(dataDir, credentials, cpuProfileDir);
  const measured = await measureAll(peers, credentials, options, store.meta);
  const tls = options.tls
    ? await measureTls({
        root: ROOT,
        benchDir: BENCH_DIR,
        workDir: CACHE_DIR,
        accountId: ACCOUNT_ID,
        credentials,
        load: options.load,
      })
    : undefined;
  const { tasks, exec } =
    options.tasks || options.exec
      ? await measureTasks({
          root: ROOT,
          accountId: ACCOUNT_ID,
          credentials,
          moto: peers.moto,
          plan: options.taskPlan,
          tasks: options.tasks,
          ...(options.exec ? { execSamples: options.execSamples } : {}),
        })
      : {};
  const trails = options.trails
    ? await measureTrails({
        root: ROOT,
        workDir: CACHE_DIR,
        accountId: ACCOUNT_ID,
        credentials,
        seedDatabase: store.database,
        events: options.trailEvents,
        moto: peers.moto,
        motoWatchSeconds: options.quick ? 5 : 20,
      })
    : undefined;
  await Promise.all(Object.values(peers).map((peer) => peer.stop()));
  closeConnections();
  if (cpuProfileDir) process.stderr.write(`bench: fedgate CPU profile in ${cpuProfileDir}\n`);

  const result: BenchResult = {
    date: today(),
    machine: machineInfo(ROOT, loadAtStart),
    settings: { ...options.load, lookups: options.lookups, quick: options.quick },
    store: storeFacts(store, fedgateStartSeconds),
    ...measured,
    ...(tls ? { tls } : {}),
    ...(tasks ? { tasks } : {}),
    ...(exec ? { exec } : {}),
    ...(trails ? { trails } : {}),
    totalSeconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(writeReport(result, RESULTS_DIR));
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function build(): void {
  process.stderr.write('bench: npm run build\n');
  try {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } catch {
    throw new Error('npm run build failed: fedgate must compile before it can be measured');
  }
}

/** Fresh root keys for this run only; fedgate is told them through its environment. */
function randomCredentials(): Credentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

interface Peers {
  readonly fedgate: Peer;
  readonly moto: Peer;
  readonly bare: Peer;
}

async function startPeers(
  dataDir: string,
  credentials: Credentials,
  cpuProfileDir: string | undefined,
): Promise<{ peers: Peers; fedgateStartSeconds: number }> {
  process.stderr.write('bench: starting fedgate, moto_server and the bare server\n');
  const spawned = performance.now();
  const setup = { root: ROOT, dataDir, accountId: ACCOUNT_ID, credentials, cpuProfileDir };
  const fedgate = await startFedgate(setup);
  const fedgateStartSeconds = (performance.now() - spawned) / 1000;
  const moto = await startMoto();
  const bare = await startBare(BENCH_DIR);
  return { peers: { fedgate, moto, bare }, fedgateStartSeconds };
}

async function measureAll(
  peers: Peers,
  credentials: Credentials,
  options: BenchOptions,
  meta: SeedMeta,
): Promise<Pick<BenchResult, 'throughput' | 'lookups' | 'motoLookupStatus'>> {
  await checkSignatureEnforced(peers.fedgate, credentials);
  // Lookups first, so the history holds the seeded events and hardly any of the benchmark's.
  const kinds = lookupKinds(meta);
  const plan = { warmup: options.lookupWarmup, measured: options.lookups };
  const lookups = await measureLookups(peers.fedgate.target, credentials, kinds, plan);
  peers.fedgate.checkAlive();
  const lookup = lookupEvents('LookupEvents', { maxResults: 50 });
  const motoLookupStatus = await probeStatus(peers.moto, lookup, credentials);

  const throughput: ThroughputRow[] = [];
  const order = [peers.fedgate, peers.moto, peers.bare];
  for (const operation of THROUGHPUT_OPERATIONS) {
    throughput.push(await measureOperation(operation, order, credentials, options.load));
  }
  return { throughput, lookups, motoLookupStatus };
}

function storeFacts(store: SeededStore, fedgateStartSeconds: number): BenchResult['store'] {
  return {
    events: store.meta.count,
    averageRecordBytes: store.meta.averageRecordBytes,
    seededAt: store.meta.seededAt,
    seedSeconds: store.meta.seedSeconds,
    seededNow: store.seededNow !== undefined,
    fedgateStartSeconds,
  };
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bench: ${message}\n`);
  cleanUpNow();
  process.exit(1);
});
