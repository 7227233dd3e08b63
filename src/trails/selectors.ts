import type { AdvancedFieldSelector, EventSelector } from '../model/generated/cloudtrail.js';
import type { StoredTrail } from './trail-store.js';

/**
 * Which recorded events a trail delivers, by its event selectors. fedgate
 * records management events only (object-level S3 calls are not recorded),
 * so data resources select nothing yet.
 */

/** The facts of an event a selector can test. */
export interface SelectableEvent {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly errorCode?: string;
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

/** True when the trail's selectors deliver this management event. */
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
  if (selector.IncludeManagementEvents === false) return false;
  if ((selector.ExcludeManagementEventSources ?? []).includes(event.eventSource)) return false;

  const type = selector.ReadWriteType ?? 'All';
  return type === 'All' || (type === 'ReadOnly') === event.readOnly;
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
      return 'Management';
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
