import type {
  GetTrailStatusRequest,
  GetTrailStatusResponse,
  StartLoggingRequest,
  StartLoggingResponse,
  StopLoggingRequest,
  StopLoggingResponse,
} from '../../model/generated/cloudtrail.js';
import { cloudTrailTime } from '../../trails/digest.js';
import {
  closeLoggingSpan,
  openLoggingSpan,
  writeStatus,
  type StoredTrail,
} from '../../trails/trail-store.js';
import type { OperationContext } from '../service.js';
import { requireHomeRegion, resolveTrail } from './trail-lookup.js';

/**
 * StartLogging: the trail delivers every event recorded from now on. Starting
 * a trail that is logging changes nothing but its start time, as in AWS.
 */
export async function startLogging(
  ctx: OperationContext,
  input: StartLoggingRequest,
): Promise<StartLoggingResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  requireHomeRegion(ctx, trail);

  if (!trail.logging) await openLoggingSpan(ctx.db, trail.arn);
  await writeStatus(ctx.db, trail.arn, { logging: 1, start_logging_at: ctx.clock.now().getTime() });
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: trail.arn, arn: trail.arn });
  return {};
}

/** StopLogging: events recorded until now are still delivered; later ones are not. */
export async function stopLogging(
  ctx: OperationContext,
  input: StopLoggingRequest,
): Promise<StopLoggingResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  requireHomeRegion(ctx, trail);

  if (trail.logging) await closeLoggingSpan(ctx.db, trail.arn);
  await writeStatus(ctx.db, trail.arn, { logging: 0, stop_logging_at: ctx.clock.now().getTime() });
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: trail.arn, arn: trail.arn });
  return {};
}

/** GetTrailStatus: logging state and the last delivery of logs and digests, with any error. */
export async function getTrailStatus(
  ctx: OperationContext,
  input: GetTrailStatusRequest,
): Promise<GetTrailStatusResponse> {
  const trail = await resolveTrail(ctx, input.Name);
  return trailStatus(trail);
}

/** The status fields, including the string twins AWS keeps for older clients. */
export function trailStatus(trail: StoredTrail): GetTrailStatusResponse {
  return {
    IsLogging: trail.logging,
    ...dated('LatestDeliveryTime', trail.latestDeliveryAt),
    ...dated('StartLoggingTime', trail.startLoggingAt),
    ...dated('StopLoggingTime', trail.stopLoggingAt),
    ...dated('LatestDigestDeliveryTime', trail.latestDigestAt),
    ...(trail.latestDeliveryError ? { LatestDeliveryError: trail.latestDeliveryError } : {}),
    ...(trail.latestDigestError ? { LatestDigestDeliveryError: trail.latestDigestError } : {}),
    ...text('TimeLoggingStarted', trail.startLoggingAt),
    ...text('TimeLoggingStopped', trail.stopLoggingAt),
    ...text('LatestDeliveryAttemptTime', trail.latestDeliveryAttemptAt),
    ...text('LatestDeliveryAttemptSucceeded', trail.latestDeliveryAt),
  };
}

function dated<K extends string>(key: K, date: Date | undefined): { [P in K]?: Date } {
  return (date === undefined ? {} : { [key]: date }) as { [P in K]?: Date };
}

function text<K extends string>(key: K, date: Date | undefined): { [P in K]?: string } {
  return (date === undefined ? {} : { [key]: cloudTrailTime(date) }) as { [P in K]?: string };
}
