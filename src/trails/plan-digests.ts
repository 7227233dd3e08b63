import type { SecretBox } from '../auth/secret-box.js';
import { allRegions } from '../partitions.js';
import type { Db } from '../store/db.js';
import { recordedRegions } from './regions.js';
import { buildDigest, digestObjectKey, type PreviousDigest } from './digest.js';
import { enqueue } from './outbox.js';
import { currentSigningKey, type KeyRotation } from './signing-keys.js';
import type { StoredTrail } from './trail-store.js';

/** What planning a digest needs besides the trail. */
export interface DigestPlanning {
  readonly box: SecretBox;
  readonly now: Date;
  /** The least time between two digests of one chain. */
  readonly intervalMs: number;
  readonly rotation?: KeyRotation;
}

/**
 * Plans the digests a trail with log file validation owes: for each region
 * it records, once `intervalMs` has passed since the chain's last digest, a
 * digest of the log files planned since, chained to the last one and signed
 * with the region's key, written even when no log file was. A trail whose
 * validation was turned off forgets its chains, so turning it on again
 * starts new ones.
 */
export async function planDigests(db: Db, trail: StoredTrail, plan: DigestPlanning): Promise<void> {
  if (!trail.settings.logFileValidationEnabled) {
    await db.deleteFrom('trail_digest_chains').where('trail_arn', '=', trail.arn).execute();
    await db.deleteFrom('trail_log_files').where('trail_arn', '=', trail.arn).execute();
    return;
  }

  for (const region of recordedRegions(trail, allRegions())) {
    await planRegionDigest(db, trail, region.name, plan);
  }
}

async function planRegionDigest(
  db: Db,
  trail: StoredTrail,
  region: string,
  plan: DigestPlanning,
): Promise<void> {
  const end = wholeSeconds(plan.now);
  const chain = await readChain(db, trail, region, end);
  const files = await pendingLogFiles(db, trail.arn, region);
  if (!trail.logging && files.length === 0) return;
  if (end.getTime() - chain.lastEnd.getTime() < Math.max(plan.intervalMs, 1000)) return;

  const signingKey = await currentSigningKey(db, plan.box, region, plan.now, plan.rotation);
  const bucket = trail.settings.s3BucketName;
  const key = digestObjectKey({
    ...(trail.settings.s3KeyPrefix ? { prefix: trail.settings.s3KeyPrefix } : {}),
    accountId: trail.accountId,
    region,
    trailName: trail.name,
    homeRegion: trail.homeRegion,
    endTime: end,
  });
  const digest = buildDigest({
    accountId: trail.accountId,
    bucket,
    key,
    start: chain.lastEnd,
    end,
    signingKey,
    ...(chain.previous ? { previous: chain.previous } : {}),
    logFiles: files,
  });

  await enqueue(
    db,
    {
      trailArn: trail.arn,
      kind: 'digest',
      bucket,
      key,
      body: digest.gzipped,
      metadata: digest.metadata,
    },
    plan.now,
  );
  await writeChain(db, trail.arn, region, end, {
    bucket,
    key,
    sha256Hex: digest.sha256Hex,
    signature: digest.signature,
  });
  await db
    .deleteFrom('trail_log_files')
    .where('trail_arn', '=', trail.arn)
    .where('region', '=', region)
    .where('object_key', 'in', files.length ? files.map((file) => file.key) : [''])
    .execute();
}

/** The chain's last digest, or a new chain that starts when the trail started logging. */
async function readChain(
  db: Db,
  trail: StoredTrail,
  region: string,
  now: Date,
): Promise<{ lastEnd: Date; previous?: PreviousDigest }> {
  const row = await db
    .selectFrom('trail_digest_chains')
    .selectAll()
    .where('trail_arn', '=', trail.arn)
    .where('region', '=', region)
    .executeTakeFirst();
  if (!row) {
    const start = wholeSeconds(trail.startLoggingAt ?? now);
    await db
      .insertInto('trail_digest_chains')
      .values({
        trail_arn: trail.arn,
        region,
        last_end_at: start.getTime(),
        last_bucket: null,
        last_key: null,
        last_sha256: null,
        last_signature: null,
      })
      .execute();
    return { lastEnd: start };
  }

  const lastEnd = new Date(Number(row.last_end_at));
  if (
    row.last_bucket === null ||
    row.last_key === null ||
    row.last_sha256 === null ||
    row.last_signature === null
  ) {
    return { lastEnd };
  }
  return {
    lastEnd,
    previous: {
      bucket: row.last_bucket,
      key: row.last_key,
      sha256Hex: row.last_sha256,
      signature: row.last_signature,
    },
  };
}

async function writeChain(
  db: Db,
  arn: string,
  region: string,
  end: Date,
  last: PreviousDigest,
): Promise<void> {
  await db
    .updateTable('trail_digest_chains')
    .set({
      last_end_at: end.getTime(),
      last_bucket: last.bucket,
      last_key: last.key,
      last_sha256: last.sha256Hex,
      last_signature: last.signature,
    })
    .where('trail_arn', '=', arn)
    .where('region', '=', region)
    .execute();
}

async function pendingLogFiles(db: Db, arn: string, region: string) {
  const rows = await db
    .selectFrom('trail_log_files')
    .selectAll()
    .where('trail_arn', '=', arn)
    .where('region', '=', region)
    .orderBy('planned_at')
    .orderBy('object_key')
    .execute();
  return rows.map((row) => ({
    bucket: row.bucket,
    key: row.object_key,
    sha256Hex: row.sha256,
    oldestEventTime: new Date(Number(row.oldest_event_at)),
    newestEventTime: new Date(Number(row.newest_event_at)),
  }));
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
