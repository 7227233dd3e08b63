import { performance } from 'node:perf_hooks';
import { connect } from 'node:tls';
import type { TlsClient } from './https-client.js';
import type { LoadSettings } from './load.js';
import type { Target } from './sign.js';
import { summarize } from './stats.js';

/** What one run of new TLS connections saw; latencies in ms, to `secureConnect`. */
export interface HandshakeResult {
  readonly handshakesPerSecond: number;
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Handshakes that resumed a session (none should: no session is ever offered). */
  readonly resumed: number;
  /** Every version and suite negotiated, e.g. `TLSv1.3 TLS_AES_128_GCM_SHA256`. */
  readonly negotiated: readonly string[];
}

interface Tally {
  samples: number[];
  errors: number;
  resumed: number;
  negotiated: Set<string>;
}

/**
 * Opens new TLS connections to `target` as fast as `settings.connections` loops can, each
 * a full handshake (no session offered, so none is resumed) that verifies the server's
 * certificate against the CA; timed from connect to `secureConnect`, then closed. Warm-up
 * first, as the other scenarios.
 */
export async function measureHandshakes(
  target: Target,
  client: TlsClient,
  settings: LoadSettings,
): Promise<HandshakeResult> {
  if (settings.warmup > 0) await runLoops(target, client, settings.connections, settings.warmup);
  const started = performance.now();
  const tally = await runLoops(target, client, settings.connections, settings.duration);
  const seconds = (performance.now() - started) / 1000;
  const latency = summarize(tally.samples);
  return {
    handshakesPerSecond: tally.samples.length / seconds,
    total: tally.samples.length,
    p50: latency.p50,
    p99: latency.p99,
    errors: tally.errors,
    resumed: tally.resumed,
    negotiated: [...tally.negotiated],
  };
}

async function runLoops(
  target: Target,
  client: TlsClient,
  connections: number,
  duration: number,
): Promise<Tally> {
  const tally: Tally = { samples: [], errors: 0, resumed: 0, negotiated: new Set() };
  const deadline = performance.now() + duration * 1000;
  const loop = async () => {
    while (performance.now() < deadline) await handshake(target, client, tally);
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return tally;
}

function handshake(target: Target, client: TlsClient, tally: Tally): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const started = performance.now();
    const socket = connect({ host: target.hostname, port: target.port, ...client });
    socket.once('secureConnect', () => {
      done = true;
      tally.samples.push(performance.now() - started);
      if (socket.isSessionReused()) tally.resumed += 1;
      tally.negotiated.add(`${socket.getProtocol() ?? '?'} ${socket.getCipher().name}`);
      socket.end();
      resolve();
    });
    socket.on('error', () => {
      socket.destroy();
      if (done) return;
      done = true;
      tally.errors += 1;
      resolve();
    });
  });
}
