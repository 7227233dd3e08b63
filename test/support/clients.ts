import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import type { TestCredentials } from './fedgate.js';

/** The endpoint and credentials a client is built with; one place to point the suite elsewhere. */
export interface ClientTarget {
  readonly endpoint: string;
  readonly credentials: TestCredentials;
  readonly region: string;
  /** Milliseconds the server's clock is ahead of this machine's (tests that move time). */
  readonly clockOffset?: number;
}

/** What every test client is built with: one attempt, the target's endpoint and clock. */
export function clientOptions(target: ClientTarget) {
  return {
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 1,
    systemClockOffset: target.clockOffset ?? 0,
  };
}

/** An ECS client of the AWS SDK for JavaScript v3. */
export function ecsClient(target: ClientTarget): ECSClient {
  return new ECSClient(clientOptions(target));
}

/** A CloudTrail client of the AWS SDK for JavaScript v3. */
export function cloudTrailClient(target: ClientTarget): CloudTrailClient {
  return new CloudTrailClient(clientOptions(target));
}

/** An STS client of the AWS SDK for JavaScript v3. */
export function stsClient(target: ClientTarget): STSClient {
  return new STSClient(clientOptions(target));
}
