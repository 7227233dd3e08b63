import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Peer } from './peers.js';
import type { Credentials } from './sign.js';
import { createLoggingTrail, listedObjects, trailClients, trailStatus } from './trail-setup.js';
import type { TrailPlan } from './trail-setup.js';

/** What moto did with the same bucket and trail. */
export type MotoTrailResult =
  | {
      readonly ok: true;
      /** How long the bucket was watched for a log object. */
      readonly watchedSeconds: number;
      /** Objects under AWSLogs/ at the end: moto delivers nothing. */
      readonly objects: number;
      readonly isLogging: boolean;
      readonly latestDeliveryTime?: string;
    }
  | { readonly ok: false; readonly error: string };

/**
 * Creates the same bucket, policy and logging trail in moto, then lists the bucket once a
 * second for `watchSeconds` (fedgate's delivery interval is 1 s) and reads GetTrailStatus.
 */
export async function measureMotoTrail(
  moto: Peer,
  credentials: Credentials,
  plan: TrailPlan,
  options: { watchSeconds: number },
): Promise<MotoTrailResult> {
  process.stderr.write(`bench: trails: watching moto for ${options.watchSeconds} s\n`);
  const clients = trailClients(moto.target, credentials, plan.region);
  try {
    await createLoggingTrail(clients, plan);
    const started = performance.now();
    let objects = 0;
    while (performance.now() - started < options.watchSeconds * 1000 && objects === 0) {
      await delay(1000);
      objects = (await listedObjects(clients.s3, plan.bucket, 'AWSLogs/')).count;
    }
    const status = await trailStatus(clients.cloudTrail, plan.trailName);
    return {
      ok: true,
      watchedSeconds: (performance.now() - started) / 1000,
      objects,
      isLogging: status.IsLogging === true,
      ...(status.LatestDeliveryTime
        ? { latestDeliveryTime: status.LatestDeliveryTime.toISOString() }
        : {}),
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
