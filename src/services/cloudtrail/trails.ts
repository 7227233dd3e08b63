import type {
  CreateTrailRequest,
  CreateTrailResponse,
  DeleteTrailRequest,
  DeleteTrailResponse,
  DescribeTrailsRequest,
  DescribeTrailsResponse,
  GetTrailRequest,
  GetTrailResponse,
  ListTrailsRequest,
  ListTrailsResponse,
  Trail,
  UpdateTrailRequest,
  UpdateTrailResponse,
} from '../../model/generated/cloudtrail.js';
import { allRegions } from '../../partitions.js';
import {
  accountTrails,
  deleteTrail as removeTrail,
  insertTrail,
  writeSettings,
  type StoredTrail,
  type TrailSettings,
} from '../../trails/trail-store.js';
import type { OperationContext } from '../service.js';
import { MaximumNumberOfTrailsExceededException, TrailAlreadyExistsException } from './errors.js';
import { checkCombination, checkDestination, checkUnsupportedOptions } from './trail-checks.js';
import {
  checkTrailName,
  findByName,
  parseTrailArn,
  requireHomeRegion,
  resolveTrail,
  trailArn,
} from './trail-lookup.js';
import { recordedRegions, visibleIn } from '../../trails/regions.js';
import { addTrailTags } from './trail-tags.js';

/** CloudTrail allows five trails per region, counting multi-region trails in each. */
export const TRAILS_PER_REGION = 5;

/** CreateTrail: a trail in the caller's region, not yet logging. */
export async function createTrail(
  ctx: OperationContext,
  input: CreateTrailRequest,
): Promise<CreateTrailResponse> {
  checkTrailName(input.Name);
  checkUnsupportedOptions(input);
  const settings = newSettings(input);
  checkCombination(settings);
  await checkDestination(ctx, settings);

  const arn = trailArn(ctx.region, ctx.principal.accountId, input.Name);
  const candidate = draftTrail(ctx, arn, input.Name, settings);
  await checkRoom(ctx, candidate, true);

  await insertTrail(ctx.db, candidate);
  if (input.TagsList?.length) await addTrailTags(ctx.db, arn, input.TagsList);
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: arn, arn });
  return trailFields(candidate);
}

/** UpdateTrail: new settings for a trail, from its home region. */
export async function updateTrail(
  ctx: OperationContext,
  input: UpdateTrailRequest,
): Promise<UpdateTrailResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  requireHomeRegion(ctx, trail);
  checkUnsupportedOptions(input);

  const settings = changedSettings(trail.settings, input);
  checkCombination(settings);
  if (settings.s3BucketName !== trail.settings.s3BucketName || input.S3KeyPrefix !== undefined) {
    await checkDestination(ctx, settings);
  }
  const updated: StoredTrail = { ...trail, settings };
  if (settings.isMultiRegionTrail && !trail.settings.isMultiRegionTrail) {
    await checkRoom(ctx, updated, false);
  }

  await writeSettings(ctx.db, trail.arn, settings);
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: trail.arn, arn: trail.arn });
  return trailFields(updated);
}

/** DeleteTrail: from the home region only; what was delivered stays in the bucket. */
export async function deleteTrail(
  ctx: OperationContext,
  input: DeleteTrailRequest,
): Promise<DeleteTrailResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  requireHomeRegion(ctx, trail);

  await removeTrail(ctx.db, trail.arn);
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: trail.arn, arn: trail.arn });
  return {};
}

/** GetTrail: one trail the region sees, its own or a shadow. */
export async function getTrail(
  ctx: OperationContext,
  input: GetTrailRequest,
): Promise<GetTrailResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  return { Trail: describe(trail) };
}

/**
 * DescribeTrails: without names, the region's trails and (unless told not to)
 * the shadows of multi-region trails; with names, those found. Names that
 * match nothing are left out rather than failing, as CloudTrail does; a trail
 * named by ARN is found in any region.
 */
export async function describeTrails(
  ctx: OperationContext,
  input: DescribeTrailsRequest,
): Promise<DescribeTrailsResponse> {
  const includeShadows = input.includeShadowTrails ?? true;
  const trails = await accountTrails(ctx.db, ctx.principal.accountId);
  const names = input.trailNameList ?? [];

  if (names.length === 0) {
    const seen = trails.filter(
      (trail) =>
        trail.homeRegion === ctx.region.name || (includeShadows && visibleIn(trail, ctx.region)),
    );
    return { trailList: seen.map(describe) };
  }

  const found: StoredTrail[] = [];
  for (const name of names) {
    const trail = await describedTrail(ctx, trails, name, includeShadows);
    if (trail && !found.includes(trail)) found.push(trail);
  }
  return { trailList: found.map(describe) };
}

/** ListTrails: every trail of the account, in every region, with its home region. */
export async function listTrails(
  ctx: OperationContext,
  _input: ListTrailsRequest,
): Promise<ListTrailsResponse> {
  const trails = await accountTrails(ctx.db, ctx.principal.accountId);
  return {
    Trails: trails.map((trail) => ({
      TrailARN: trail.arn,
      Name: trail.name,
      HomeRegion: trail.homeRegion,
    })),
  };
}

/** A trail as DescribeTrails and GetTrail show it. */
export function describe(trail: StoredTrail): Trail {
  return {
    ...trailFields(trail),
    HomeRegion: trail.homeRegion,
    HasCustomEventSelectors:
      trail.eventSelectors !== undefined || trail.advancedEventSelectors !== undefined,
    HasInsightSelectors: false,
  };
}

async function describedTrail(
  ctx: OperationContext,
  trails: StoredTrail[],
  name: string,
  includeShadows: boolean,
): Promise<StoredTrail | undefined> {
  if (name.startsWith('arn:')) {
    parseTrailArn(name);
    return trails.find((trail) => trail.arn === name);
  }
  checkTrailName(name);
  const trail = await findByName(ctx, name);
  return trail && (includeShadows || trail.homeRegion === ctx.region.name) ? trail : undefined;
}

function trailFields(trail: Pick<StoredTrail, 'arn' | 'name' | 'settings'>): CreateTrailResponse {
  const settings = trail.settings;
  return {
    Name: trail.name,
    S3BucketName: settings.s3BucketName,
    ...(settings.s3KeyPrefix ? { S3KeyPrefix: settings.s3KeyPrefix } : {}),
    IncludeGlobalServiceEvents: settings.includeGlobalServiceEvents,
    IsMultiRegionTrail: settings.isMultiRegionTrail,
    TrailARN: trail.arn,
    LogFileValidationEnabled: settings.logFileValidationEnabled,
    IsOrganizationTrail: false,
  };
}

function newSettings(input: CreateTrailRequest): TrailSettings {
  return {
    s3BucketName: input.S3BucketName,
    ...(input.S3KeyPrefix ? { s3KeyPrefix: input.S3KeyPrefix } : {}),
    includeGlobalServiceEvents: input.IncludeGlobalServiceEvents ?? true,
    isMultiRegionTrail: input.IsMultiRegionTrail ?? false,
    logFileValidationEnabled: input.EnableLogFileValidation ?? false,
  };
}

/** The settings after an update: an empty S3KeyPrefix removes the prefix. */
function changedSettings(current: TrailSettings, input: UpdateTrailRequest): TrailSettings {
  const prefix = input.S3KeyPrefix === undefined ? current.s3KeyPrefix : input.S3KeyPrefix;
  return {
    s3BucketName: input.S3BucketName ?? current.s3BucketName,
    ...(prefix ? { s3KeyPrefix: prefix } : {}),
    includeGlobalServiceEvents:
      input.IncludeGlobalServiceEvents ?? current.includeGlobalServiceEvents,
    isMultiRegionTrail: input.IsMultiRegionTrail ?? current.isMultiRegionTrail,
    logFileValidationEnabled: input.EnableLogFileValidation ?? current.logFileValidationEnabled,
  };
}

function draftTrail(
  ctx: OperationContext,
  arn: string,
  name: string,
  settings: TrailSettings,
): StoredTrail {
  return {
    arn,
    accountId: ctx.principal.accountId,
    name,
    homeRegion: ctx.region.name,
    settings,
    createdAt: ctx.clock.now(),
    logging: false,
    deliveredSeq: 0,
  };
}

/**
 * No two trails of one name where either is seen, and at most five trails
 * seen in every region the new (or newly multi-region) trail records.
 */
async function checkRoom(
  ctx: OperationContext,
  candidate: StoredTrail,
  isNew: boolean,
): Promise<void> {
  const all = await accountTrails(ctx.db, ctx.principal.accountId);
  const others = all.filter((trail) => trail.arn !== candidate.arn);
  if (isNew && others.length < all.length) {
    throw new TrailAlreadyExistsException(candidate.name, ctx.principal.accountId);
  }

  for (const region of recordedRegions(candidate, allRegions())) {
    const seen = others.filter((trail) => visibleIn(trail, region));
    if (seen.some((trail) => trail.name === candidate.name)) {
      throw new TrailAlreadyExistsException(candidate.name, ctx.principal.accountId);
    }
    if (seen.length >= TRAILS_PER_REGION) {
      throw new MaximumNumberOfTrailsExceededException(
        ctx.principal.accountId,
        TRAILS_PER_REGION,
        region.name,
      );
    }
  }
}
