import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tlsFiles } from '../src/tls/certificates.js';
import type { TlsVersion } from '../src/tls/policy.js';
import { onCleanup } from './children.js';
import { freePort } from './free-port.js';
import { measureHandshakes, type HandshakeResult } from './handshakes.js';
import { send } from './http-client.js';
import { sendTls, waitForHttps, type TlsClient } from './https-client.js';
import {
  measureLoadSampled,
  mergeRuns,
  type LoadResult,
  type LoadSettings,
  type SampledLoad,
} from './load.js';
import { LIST_ACCOUNT_SETTINGS } from './operations.js';
import { startBare, startFedgate, type Peer } from './peers.js';
import { signOperation, type Credentials, type SignedRequest, type Target } from './sign.js';
import { checkAnswer } from './throughput.js';

/** How to run the TLS scenario. */
export interface TlsSettings {
  readonly root: string;
  readonly benchDir: string;
  /** Where fedgate's own data directory goes (removed afterwards). */
  readonly workDir: string;
  readonly accountId: string;
  readonly credentials: Credentials;
  readonly load: LoadSettings;
}

/** The peers the TLS scenario measures: both answer HTTPS with fedgate's policy and certificate. */
export type TlsPeerName = Extract<Peer['name'], 'fedgate' | 'bare'>;

/** One peer and scheme under keep-alive load. */
export interface KeepAliveRow {
  readonly peer: TlsPeerName;
  readonly scheme: 'http' | 'https';
  /** Version and suite the probe negotiated (HTTPS only). */
  readonly negotiated?: string;
  /** The runs merged: requests over their summed time, percentiles over all their samples. */
  readonly load: LoadResult;
  /** Each run's requests per second, in the order run. */
  readonly runsPerSecond: readonly number[];
}

/** New TLS connections per second to one peer at one protocol version. */
export interface HandshakeRow {
  readonly peer: TlsPeerName;
  readonly maxVersion: TlsVersion;
  readonly result: HandshakeResult;
}

/** Everything the TLS scenario measured. */
export interface TlsResult {
  readonly operation: string;
  readonly keepAlive: readonly KeepAliveRow[];
  readonly handshakes: readonly HandshakeRow[];
}

/** A peer with its HTTP and HTTPS addresses. */
interface DualPeer {
  readonly peer: Peer;
  readonly tlsTarget: Target;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const VERSIONS: readonly TlsVersion[] = ['TLSv1.3', 'TLSv1.2'];

/**
 * A fedgate of its own (fresh data directory, `serve --tls`) and a bare server answering HTTPS
 * with fedgate's server certificate and TLS policy: ListAccountSettings over plain HTTP and
 * over HTTPS with kept-alive connections (twice each, ABBA), then new TLS handshakes per second
 * (TLS 1.3, then 1.2).
 */
export async function measureTls(settings: TlsSettings): Promise<TlsResult> {
  const dataDir = join(settings.workDir, `tls-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const peers: Peer[] = [];
  try {
    const fedgate = await startTlsFedgate(settings, dataDir);
    peers.push(fedgate.peer);
    const ca = readFileSync(tlsFiles(dataDir).ca, 'utf8');
    await waitForHttps(fedgate.tlsTarget, '/health', ca, START_TIMEOUT_MS);
    const bare = await startTlsBare(settings.benchDir, dataDir);
    peers.push(bare.peer);
    const duals = [fedgate, bare];
    const keepAlive = await measureKeepAlive(duals, ca, settings);
    const handshakes = await measureAllHandshakes(duals, ca, settings.load);
    return { operation: LIST_ACCOUNT_SETTINGS.name, keepAlive, handshakes };
  } finally {
    await Promise.all(peers.map((peer) => peer.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startTlsFedgate(settings: TlsSettings, dataDir: string): Promise<DualPeer> {
  process.stderr.write('bench: starting fedgate --tls\n');
  const tlsPort = await freePort();
  const { root, accountId, credentials } = settings;
  const extraArgs = ['--tls', '--tls-port', String(tlsPort)];
  const peer = await startFedgate({ root, dataDir, accountId, credentials, extraArgs });
  return { peer, tlsTarget: { hostname: HOST, port: tlsPort } };
}

/** The bare server, serving the certificate fedgate's private CA issued to fedgate. */
async function startTlsBare(benchDir: string, dataDir: string): Promise<DualPeer> {
  const files = tlsFiles(dataDir);
  const port = await freePort();
  const peer = await startBare(benchDir, {
    port,
    certFile: files.server,
    keyFile: files.serverKey,
  });
  return { peer, tlsTarget: { hostname: HOST, port } };
}

/** The order of the keep-alive runs on each peer: ABBA, so a drift in time favours neither. */
const KEEP_ALIVE_ORDER: readonly KeepAliveRow['scheme'][] = ['http', 'https', 'https', 'http'];

/** A scheme's signed request, checked once, ready to replay under load. */
interface Prepared {
  readonly target: Target;
  readonly signed: SignedRequest;
  readonly body: string;
  readonly tls?: TlsClient;
  readonly negotiated?: string;
}

async function measureKeepAlive(
  duals: readonly DualPeer[],
  ca: string,
  settings: TlsSettings,
): Promise<KeepAliveRow[]> {
  const rows: KeepAliveRow[] = [];
  const client: TlsClient = { ca, maxVersion: 'TLSv1.3' };
  for (const dual of duals) {
    const prepared = {
      http: await prepareHttp(dual.peer, settings.credentials),
      https: await prepareHttps(dual, client, settings.credentials),
    };
    const runs: Record<KeepAliveRow['scheme'], SampledLoad[]> = { http: [], https: [] };
    for (const scheme of KEEP_ALIVE_ORDER) {
      process.stderr.write(`bench: ${dual.peer.name} ListAccountSettings over ${scheme}\n`);
      const p = prepared[scheme];
      runs[scheme].push(await measureLoadSampled(p.target, p.signed, settings.load, p.body, p.tls));
      dual.peer.checkAlive();
    }
    for (const scheme of ['http', 'https'] as const) {
      rows.push(keepAliveRow(dual.peer, scheme, prepared[scheme], runs[scheme]));
    }
  }
  return rows;
}

function keepAliveRow(
  peer: Peer,
  scheme: KeepAliveRow['scheme'],
  prepared: Prepared,
  runs: readonly SampledLoad[],
): KeepAliveRow {
  return {
    peer: tlsPeerName(peer),
    scheme,
    ...(prepared.negotiated ? { negotiated: prepared.negotiated } : {}),
    load: mergeRuns(runs),
    runsPerSecond: runs.map((run) => run.result.requestsPerSecond),
  };
}

async function prepareHttp(peer: Peer, credentials: Credentials): Promise<Prepared> {
  const signed = await signOperation(LIST_ACCOUNT_SETTINGS, peer.target, credentials);
  const probe = await send(peer.target, signed);
  return { target: peer.target, signed, body: checkProbe(peer, probe.status, probe.body) };
}

/** The probe verifies the certificate against the CA; autocannon, under load, does not. */
async function prepareHttps(
  dual: DualPeer,
  client: TlsClient,
  credentials: Credentials,
): Promise<Prepared> {
  const { peer, tlsTarget } = dual;
  const signed = await signOperation(LIST_ACCOUNT_SETTINGS, tlsTarget, credentials);
  const probe = await sendTls(tlsTarget, signed, client);
  const body = checkProbe(peer, probe.status, probe.body);
  const negotiated = `${probe.protocol} ${probe.cipher}`;
  return { target: tlsTarget, signed, body, tls: client, negotiated };
}

function checkProbe(peer: Peer, status: number, body: string): string {
  if (status !== 200)
    throw new Error(`${peer.name} ListAccountSettings answered ${status}: ${body}`);
  checkAnswer(peer, LIST_ACCOUNT_SETTINGS, body);
  return body;
}

async function measureAllHandshakes(
  duals: readonly DualPeer[],
  ca: string,
  load: LoadSettings,
): Promise<HandshakeRow[]> {
  const rows: HandshakeRow[] = [];
  for (const maxVersion of VERSIONS) {
    for (const { peer, tlsTarget } of duals) {
      process.stderr.write(`bench: ${peer.name} new ${maxVersion} handshakes\n`);
      const result = await measureHandshakes(tlsTarget, { ca, maxVersion }, load);
      peer.checkAlive();
      checkHandshakes(peer, maxVersion, result);
      rows.push({ peer: tlsPeerName(peer), maxVersion, result });
    }
  }
  return rows;
}

/** Fails when a handshake was resumed or a version other than the one asked for was used. */
function checkHandshakes(peer: Peer, version: TlsVersion, result: HandshakeResult): void {
  const wrong = result.negotiated.filter((suite) => !suite.startsWith(`${version} `));
  if (result.resumed === 0 && wrong.length === 0 && result.total > 0) return;
  throw new Error(
    `${peer.name} ${version} handshakes: ${result.total} made, ${result.resumed} resumed, ` +
      `negotiated ${result.negotiated.join(', ') || 'nothing'}`,
  );
}

function tlsPeerName(peer: Peer): TlsPeerName {
  if (peer.name === 'moto') throw new Error('moto has no TLS listener');
  return peer.name;
}
