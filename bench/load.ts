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

/** TLS for a load run: the target is then an HTTPS port, reached with these client options. */
export interface LoadTls {
  /** The CA certificate (PEM) the server's certificate chains to. */
  readonly ca: string;
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
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
 * rounds to whole milliseconds). With `tls`, over HTTPS on kept-alive connections; autocannon
 * does not verify the server's certificate (it sets rejectUnauthorized: false), so callers
 * check it with a probe.
 */
export async function measureLoad(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  expectBody?: string,
  tls?: LoadTls,
): Promise<LoadResult> {
  return (await measureLoadSampled(target, signed, settings, expectBody, tls)).result;
}

/** A measured run with its latency samples and measured seconds, so runs can be merged. */
export interface SampledLoad {
  readonly result: LoadResult;
  readonly samples: readonly number[];
  readonly seconds: number;
}

/** As `measureLoad`, keeping the samples (for `mergeRuns`). */
export async function measureLoadSampled(
  target: Target,
  signed: SignedRequest,
  settings: LoadSettings,
  expectBody?: string,
  tls?: LoadTls,
): Promise<SampledLoad> {
  const each = (duration: number) => run({ target, signed, duration, expectBody, tls }, settings);
  if (settings.warmup > 0) await each(settings.warmup);
  const { result, samples } = await each(settings.duration);
  const latency = summarize(samples);
  const load: LoadResult = {
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
  return { result: load, samples, seconds: result.duration };
}

/**
 * Runs of one scenario as one: requests over the summed measured seconds, percentiles over
 * every sample, counts summed.
 */
export function mergeRuns(runs: readonly SampledLoad[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) =>
    runs.reduce((total, run) => total + pick(run.result), 0);
  const seconds = runs.reduce((total, run) => total + run.seconds, 0);
  const latency = summarize(runs.flatMap((run) => run.samples));
  return {
    generator: 'autocannon',
    requestsPerSecond: seconds === 0 ? 0 : sum((r) => r.total) / seconds,
    total: sum((r) => r.total),
    p50: latency.p50,
    p99: latency.p99,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    mismatches: sum((r) => r.mismatches),
  };
}

/** One autocannon run's request and how long it lasts. */
interface RunPlan {
  readonly target: Target;
  readonly signed: SignedRequest;
  readonly duration: number;
  readonly expectBody: string | undefined;
  readonly tls: LoadTls | undefined;
}

function run(
  plan: RunPlan,
  settings: LoadSettings,
): Promise<{ result: autocannon.Result; samples: number[] }> {
  const { target, signed, duration, expectBody, tls } = plan;
  // autocannon writes Content-Length itself (the signed value is the same).
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([name]) => name !== 'content-length'),
  );
  const options: autocannon.Options = {
    url: `${tls ? 'https' : 'http'}://${target.hostname}:${target.port}${signed.path}`,
    method: signed.method,
    headers,
    body: signed.body,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration,
    ...(expectBody === undefined ? {} : { expectBody }),
    ...(tls ? { tlsOptions: { ca: tls.ca, maxVersion: tls.maxVersion ?? 'TLSv1.3' } } : {}),
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
