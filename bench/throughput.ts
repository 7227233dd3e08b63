import { measureClosedLoop } from './closed-loop.js';
import { send } from './http-client.js';
import { measureLoad, type LoadResult, type LoadSettings } from './load.js';
import type { Operation } from './operations.js';
import type { Peer } from './peers.js';
import { signOperation, type Credentials } from './sign.js';

/** A peer's outcome for one operation: measured, or failing already on the probe. */
export type Measured =
  | { readonly ok: true; readonly load: LoadResult }
  | { readonly ok: false; readonly status: number; readonly body: string };

/** One operation measured on every peer. */
export interface ThroughputRow {
  readonly operation: string;
  readonly peers: Readonly<Record<Peer['name'], Measured>>;
}

/**
 * Measures `operation` on each peer in turn with the same load: signs once
 * (valid 15 minutes), probes once to check the answer is real, then replays
 * the signed request under load, comparing every answer with the probe's.
 */
export async function measureOperation(
  operation: Operation,
  peers: readonly Peer[],
  credentials: Credentials,
  settings: LoadSettings,
): Promise<ThroughputRow> {
  const results: Partial<Record<Peer['name'], Measured>> = {};
  for (const peer of peers) {
    process.stderr.write(`bench: ${peer.name} ${operation.name}\n`);
    results[peer.name] = await measureOn(peer, operation, credentials, settings);
  }
  return { operation: operation.name, peers: results as Record<Peer['name'], Measured> };
}

async function measureOn(
  peer: Peer,
  operation: Operation,
  credentials: Credentials,
  settings: LoadSettings,
): Promise<Measured> {
  const signed = await signOperation(operation, peer.target, credentials);
  const probe = await send(peer.target, signed);
  if (probe.status !== 200) {
    if (peer.name === 'fedgate') {
      throw new Error(`fedgate ${operation.name} answered ${probe.status}: ${probe.body}`);
    }
    return { ok: false, status: probe.status, body: probe.body };
  }
  checkAnswer(peer, operation, probe.body);
  const measure = peer.closesConnections ? measureClosedLoop : measureLoad;
  const load = await measure(peer.target, signed, settings, probe.body);
  peer.checkAlive();
  return { ok: true, load };
}

/** Fails unless the answer has the shape the operation promises (bare answers `{}`). */
export function checkAnswer(peer: Pick<Peer, 'name'>, operation: Operation, body: string): void {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  const expected = peer.name === 'bare' ? undefined : expectedMember(operation.name);
  if (expected === undefined || expected in parsed) return;
  throw new Error(`${peer.name} ${operation.name} answered without '${expected}': ${body}`);
}

function expectedMember(operation: string): string | undefined {
  if (operation === 'ListAccountSettings') return 'settings';
  if (operation === 'PutAccountSetting') return 'setting';
  return undefined;
}
