import autocannon from 'autocannon';
import type { SignedRequest, Target } from './sign.js';
import { summarize } from './stats.js';

/** The load every peer gets, identical for all. */
export interface LoadSettings {
  readonly connections: number;
  readonly pipelining: number;
  /** Seconds measured. */
  readonly duration: number;
  /** Seconds of load run and thrown away before measuring. */
  readonly warmup: number;
}

/** What one measured load run saw; latencies in ms. */
export interface LoadResult {
  /** Which load generator drove the run. */
  readonly generator: 'autocannon' | 'node:http';
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Answers whose body differed from the one the probe saw. */
  readonly mismatches: number;
}

/**
 * Replays `signed` against `target` with autocannon for the warm-up, then
 * measures. When `expectBody` is given every answer is compared with it.
 * Latencies come from each response's own timing (autocannon's histogram
 * rounds to whole milliseconds).
 */
export async function measureLoad(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  expectBody?: string,
): Promise<LoadResult> {
  if (settings.warmup > 0) await run(target, signed, settings, settings.warmup, expectBody);
  const { result, samples } = await run(target, signed, settings, settings.duration, expectBody);
  const latency = summarize(samples);
  return {
    generator: 'autocannon',
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    p50: latency.p50,
    p99: latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
  };
}

function run(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  duration: number,
  expectBody: string | undefined,
): Promise<{ result: autocannon.Result; samples: number[] }> {
  // autocannon writes Content-Length itself (the signed value is the same).
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([name]) => name !== 'content-length'),
  );
  const options: autocannon.Options = {
    url: `http://${target.hostname}:${target.port}${signed.path}`,
    method: signed.method,
    headers,
    body: signed.body,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration,
    ...(expectBody === undefined ? {} : { expectBody }),
  };
  return new Promise((resolve, reject) => {
    const samples: number[] = [];
    const instance = autocannon(options, (error: Error | null, result) => {
      if (error) reject(error);
      else resolve({ result, samples });
    });
    instance.on('response', (_client, _status, _bytes, ms: number) => samples.push(ms));
  });
}
