import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secret-box.js';
import type { ServerConfig } from '../config.js';
import { findRegion } from '../partitions.js';
import { findBucket, putObject } from '../services/s3/bucket-store.js';
import { AccessDenied, NoSuchBucket } from '../services/s3/errors.js';
import type { ObjectFiles } from '../services/s3/object-files.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../util/clock.js';
import { policyAllowsCloudTrail } from './bucket-policy.js';
import { TrailDelivery, type ObjectSink } from './delivery.js';
import type { OutboxObject } from './outbox.js';
import { findTrail } from './trail-store.js';

/** An S3-compatible server trails deliver to when their bucket is not one of fedgate's. */
export type ExternalS3 = NonNullable<ServerConfig['trailS3']>;

/**
 * Delivers into fedgate's own S3 when it holds the bucket (object and
 * outbox settle in one transaction: exactly once), else through the AWS SDK
 * to the external endpoint, when one is set (the same key and bytes are
 * written again if fedgate stops between the write and the settle).
 */
export function trailSink(options: {
  commits: GroupCommit;
  files: ObjectFiles;
  clock: Clock;
  external?: ExternalS3;
}): ObjectSink {
  const { commits, files, clock } = options;
  const client = options.external && externalClient(options.external);
  // Buckets last found outside fedgate: their objects are not staged in a local file.
  const elsewhere = new Set<string>();

  return {
    async put(object, settleIn) {
      // The file is on disk before the transaction opens: fsyncs inside it would hold up every
      // API call waiting to join the next one.
      if (!elsewhere.has(object.bucket)) await files.stage(object.body);
      let local: boolean;
      try {
        local = await commits.run(async (db) => {
          const bucket = await findBucket(db, object.bucket);
          if (!bucket) return false;

          await checkPolicy(db, object, bucket.policy);
          await putObject(db, files, { ...objectFields(object), lastModified: clock.now() });
          await settleIn(db);
          return true;
        });
      } finally {
        files.discardStaged(object.body);
      }
      if (local) {
        elsewhere.delete(object.bucket);
        return;
      }
      elsewhere.add(object.bucket);

      if (!client) throw new NoSuchBucket(object.bucket);
      await client.send(
        new PutObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          Body: object.body,
          ContentType: 'application/x-gzip',
          Metadata: object.metadata,
        }),
      );
      await commits.run((db) => settleIn(db));
    },
  };
}

/** The bucket must still let CloudTrail write the trail's account's logs. */
async function checkPolicy(
  db: Parameters<typeof findTrail>[0],
  object: OutboxObject,
  policy: string | undefined,
): Promise<void> {
  const trail = await findTrail(db, object.trailArn);
  const partition = trail && findRegion(trail.homeRegion)?.partition;
  if (!trail || !partition) return;

  const target = {
    partition,
    bucket: object.bucket,
    accountId: trail.accountId,
    prefix: trail.settings.s3KeyPrefix,
  };
  if (!policyAllowsCloudTrail(policy, target)) throw new AccessDenied();
}

function objectFields(object: OutboxObject) {
  return {
    bucket: object.bucket,
    key: object.key,
    body: object.body,
    contentType: 'application/x-gzip',
    metadata: object.metadata,
  };
}

function externalClient(external: ExternalS3): S3Client {
  return new S3Client({
    endpoint: external.endpoint,
    region: external.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: external.accessKeyId,
      secretAccessKey: external.secretAccessKey,
    },
  });
}

/** The delivery worker as `fedgate serve` runs it, from the server's settings. */
export function createTrailDelivery(
  config: Pick<ServerConfig, 'trailDeliveryInterval' | 'digestInterval' | 'trailS3'>,
  deps: { commits: GroupCommit; box: SecretBox; clock: Clock; logger: Logger; files: ObjectFiles },
): TrailDelivery {
  const sink = trailSink({
    commits: deps.commits,
    files: deps.files,
    clock: deps.clock,
    ...(config.trailS3 ? { external: config.trailS3 } : {}),
  });
  return new TrailDelivery({
    ...deps,
    sink,
    deliveryIntervalMs: config.trailDeliveryInterval * 1000,
    digestIntervalMs: config.digestInterval * 1000,
  });
}
