import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LoadResult, LoadSettings } from './load.js';
import type { SignedRequest, Target } from './sign.js';
import { summarize } from './stats.js';

/** Counts and samples of one closed-loop run. */
interface Tally {
  samples: number[];
  non2xx: number;
  errors: number;
  mismatches: number;
}

/**
 * A closed-loop load generator on node:http for servers that answer
 * `Connection: close` (moto's werkzeug server does, then leaves the socket
 * open, which stalls autocannon until its timeout). `connections` loops each
 * send the next request as soon as the last one is answered; node:http opens
 * a new connection whenever the server asks it to.
 */
export async function measureClosedLoop(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  expectBody?: string,
): Promise<LoadResult> {
  if (settings.warmup > 0) await runLoops(target, signed, settings, settings.warmup, expectBody);
  const started = performance.now();
  const tally = await runLoops(target, signed, settings, settings.duration, expectBody);
  const seconds = (performance.now() - started) / 1000;
  const latency = summarize(tally.samples);
  return {
    generator: 'node:http',
    requestsPerSecond: tally.samples.length / seconds,
    total: tally.samples.length,
    p50: latency.p50,
    p99: latency.p99,
    non2xx: tally.non2xx,
    errors: tally.errors,
    timeouts: 0,
    mismatches: tally.mismatches,
  };
}

async function runLoops(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  duration: number,
  expectBody: string | undefined,
): Promise<Tally> {
  const agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
  const tally: Tally = { samples: [], non2xx: 0, errors: 0, mismatches: 0 };
  const deadline = performance.now() + duration * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      await once(target, signed, agent, tally, expectBody);
    }
  };
  await Promise.all(Array.from({ length: settings.connections }, loop));
  agent.destroy();
  return tally;
}

function once(
  target: Target,
  signed: SignedRequest,
  agent: Agent,
  tally: Tally,
  expectBody: string | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const options = { ...target, agent, method: signed.method, path: signed.path };
    const req = request({ ...options, headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        tally.samples.push(performance.now() - started);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) tally.non2xx += 1;
        const body = Buffer.concat(chunks).toString('utf8');
        if (expectBody !== undefined && body !== expectBody) tally.mismatches += 1;
        resolve();
      });
    });
    req.on('error', () => {
      tally.errors += 1;
      resolve();
    });
    req.end(signed.body);
  });
}
