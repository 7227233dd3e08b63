import { findRegion, type Region } from '../../partitions.js';
import { visibleIn } from '../../trails/regions.js';
import { accountTrails, findTrail, type StoredTrail } from '../../trails/trail-store.js';
import type { OperationContext } from '../service.js';
import {
  CloudTrailARNInvalidException,
  InvalidHomeRegionException,
  InvalidTrailNameException,
  TrailNotFoundException,
} from './errors.js';

/**
 * Finding trails the way CloudTrail does: by name among the trails a region
 * sees (its own and the shadows of the partition's multi-region trails), or
 * by ARN. Only the caller's account is ever searched.
 */

const TRAIL_ARN = /^arn:(aws|aws-us-gov):cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

/** `arn:<partition>:cloudtrail:<home region>:<account>:trail/<name>`. */
export function trailArn(home: Region, accountId: string, name: string): string {
  return `arn:${home.partition}:cloudtrail:${home.name}:${accountId}:trail/${name}`;
}

/** Throws InvalidTrailNameException unless `name` follows CloudTrail's naming rules. */
export function checkTrailName(name: string): void {
  if (name.length < 3) {
    throw new InvalidTrailNameException(
      `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (name.length > 128) {
    throw new InvalidTrailNameException(
      `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new InvalidTrailNameException(
      'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
    );
  }
  if (!/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name)) {
    throw new InvalidTrailNameException('Trail name must start and end with a letter or number.');
  }
  if (/[._-]{2}/.test(name)) {
    throw new InvalidTrailNameException(
      'Trail name cannot contain adjacent periods, underscores or dashes.',
    );
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    throw new InvalidTrailNameException('Trail name cannot be formatted as an IP address.');
  }
}

/** The trail a `Name` parameter (a name or an ARN) means to the caller in this region. */
export async function resolveTrail(ctx: OperationContext, nameOrArn: string): Promise<StoredTrail> {
  const accountId = ctx.principal.accountId;

  if (nameOrArn.startsWith('arn:')) {
    const parsed = parseTrailArn(nameOrArn);
    const trail = parsed.accountId === accountId ? await findTrail(ctx.db, nameOrArn) : undefined;
    if (!trail || !visibleIn(trail, ctx.region))
      throw new TrailNotFoundException(nameOrArn, accountId);
    return trail;
  }

  checkTrailName(nameOrArn);
  const trail = await findByName(ctx, nameOrArn);
  if (!trail) throw new TrailNotFoundException(nameOrArn, accountId);
  return trail;
}

/** The visible trail of that name: the region's own first, then a shadow. */
export async function findByName(
  ctx: OperationContext,
  name: string,
): Promise<StoredTrail | undefined> {
  const trails = (await accountTrails(ctx.db, ctx.principal.accountId)).filter(
    (trail) => trail.name === name && visibleIn(trail, ctx.region),
  );
  return trails.find((trail) => trail.homeRegion === ctx.region.name) ?? trails[0];
}

/** Changes happen only in a trail's home region. */
export function requireHomeRegion(ctx: OperationContext, trail: StoredTrail): void {
  if (trail.homeRegion !== ctx.region.name) {
    throw new InvalidHomeRegionException(trail.arn, trail.homeRegion);
  }
}

/** A trail ARN taken apart; throws CloudTrailARNInvalidException when it is not one. */
export function parseTrailArn(arn: string): { region: string; accountId: string; name: string } {
  const match = TRAIL_ARN.exec(arn);
  if (!match || !findRegion(match[2] ?? '')) throw new CloudTrailARNInvalidException(arn);
  return { region: match[2] ?? '', accountId: match[3] ?? '', name: match[4] ?? '' };
}
