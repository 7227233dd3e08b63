import type { AdvancedFieldSelector, EventSelector } from '../model/generated/cloudtrail.js';
import type { Region } from '../partitions.js';
import type { Db } from '../store/db.js';
import { visibleIn } from './regions.js';
import { accountTrails, type StoredTrail } from './trail-store.js';

/**
 * Which events a trail delivers, by its event selectors: management events
 * by read/write type and excluded sources, data events (S3 object calls) by
 * the resources their selectors name.
 */

/** The facts of an event a selector can test. */
export interface SelectableEvent {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly errorCode?: string;
  readonly category: 'Management' | 'Data';
  /** A data event's resource: its type (`AWS::S3::Object`) and ARN. */
  readonly resourceType?: string;
  readonly resourceArn?: string;
}

/** CloudTrail's selector for a trail that was never given one: every management event. */
export const DEFAULT_EVENT_SELECTORS: EventSelector[] = [
  {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
];

/** True when the trail's selectors deliver this event. */
export function selects(trail: StoredTrail, event: SelectableEvent): boolean {
  if (trail.advancedEventSelectors) {
    return trail.advancedEventSelectors.some((selector) =>
      selector.FieldSelectors.every((field) => fieldMatches(field, event)),
    );
  }
  return (trail.eventSelectors ?? DEFAULT_EVENT_SELECTORS).some((selector) =>
    basicMatches(selector, event),
  );
}

function basicMatches(selector: EventSelector, event: SelectableEvent): boolean {
  const type = selector.ReadWriteType ?? 'All';
  if (type !== 'All' && (type === 'ReadOnly') !== event.readOnly) return false;

  if (event.category === 'Data') return namesResource(selector, event);
  if (selector.IncludeManagementEvents === false) return false;
  return !(selector.ExcludeManagementEventSources ?? []).includes(event.eventSource);
}

/**
 * A data resource value selects the resources whose ARN starts with it:
 * `arn:aws:s3` every bucket, `arn:aws:s3:::bucket/` one bucket's objects,
 * `arn:aws:s3:::bucket/logs/` those under a prefix.
 */
function namesResource(selector: EventSelector, event: SelectableEvent): boolean {
  const arn = event.resourceArn ?? '';
  return (selector.DataResources ?? []).some(
    (resource) =>
      resource.Type === event.resourceType &&
      (resource.Values ?? []).some((value) => arn.startsWith(value)),
  );
}

/** One advanced field: positive operators any-of, negative operators all-of. */
function fieldMatches(field: AdvancedFieldSelector, event: SelectableEvent): boolean {
  const value = fieldValue(field.Field, event);
  if (value === undefined) return false;

  const positive = [
    ...(field.Equals ?? []).map((v) => value === v),
    ...(field.StartsWith ?? []).map((v) => value.startsWith(v)),
    ...(field.EndsWith ?? []).map((v) => value.endsWith(v)),
  ];
  const negative = [
    ...(field.NotEquals ?? []).map((v) => value !== v),
    ...(field.NotStartsWith ?? []).map((v) => !value.startsWith(v)),
    ...(field.NotEndsWith ?? []).map((v) => !value.endsWith(v)),
  ];
  return (positive.length === 0 || positive.some(Boolean)) && negative.every(Boolean);
}

function fieldValue(field: string, event: SelectableEvent): string | undefined {
  switch (field) {
    case 'eventCategory':
      return event.category;
    case 'resources.type':
      return event.resourceType;
    case 'resources.ARN':
      return event.resourceArn;
    case 'eventSource':
      return event.eventSource;
    case 'eventName':
      return event.eventName;
    case 'readOnly':
      return String(event.readOnly);
    case 'errorCode':
      return event.errorCode ?? '';
    case 'eventType':
      return 'AwsApiCall';
    default:
      return undefined;
  }
}

/**
 * True when a trail of the account that is logging in the region selects the
 * data event: only then is the event recorded at all, as CloudTrail records
 * data events only for trails that ask for them.
 */
export async function dataEventWanted(
  db: Db,
  accountId: string,
  region: Region,
  event: SelectableEvent,
): Promise<boolean> {
  const trails = await accountTrails(db, accountId);
  return trails.some((trail) => trail.logging && visibleIn(trail, region) && selects(trail, event));
}
