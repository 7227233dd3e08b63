import type {
  AdvancedEventSelector,
  EventSelector,
  GetEventSelectorsRequest,
  GetEventSelectorsResponse,
  PutEventSelectorsRequest,
  PutEventSelectorsResponse,
} from '../../model/generated/cloudtrail.js';
import { DEFAULT_EVENT_SELECTORS } from '../../trails/selectors.js';
import { writeSelectors } from '../../trails/trail-store.js';
import type { OperationContext } from '../service.js';
import { InvalidEventSelectorsException, InvalidParameterCombinationException } from './errors.js';
import { requireHomeRegion, resolveTrail } from './trail-lookup.js';

const MAX_SELECTORS = 5;
const MAX_DATA_VALUES = 250;
const MAX_ADVANCED_CONDITIONS = 500;
const EXCLUDABLE_SOURCES = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'];
const DATA_RESOURCE_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];
const ADVANCED_FIELDS = [
  'eventCategory',
  'eventSource',
  'eventName',
  'eventType',
  'readOnly',
  'errorCode',
  'resources.type',
  'resources.ARN',
  'userIdentity.arn',
  'sessionCredentialFromConsole',
];

/** PutEventSelectors: basic or advanced selectors, never both; replaces what the trail had. */
export async function putEventSelectors(
  ctx: OperationContext,
  input: PutEventSelectorsRequest,
): Promise<PutEventSelectorsResponse> {
  const trail = await resolveTrail(ctx, input.TrailName);
  requireHomeRegion(ctx, trail);
  const { basic, advanced } = checkedSelectors(input);

  await writeSelectors(ctx.db, trail.arn, {
    ...(basic ? { basic } : {}),
    ...(advanced ? { advanced } : {}),
  });
  ctx.resources.push({ type: 'AWS::CloudTrail::Trail', name: trail.arn, arn: trail.arn });
  return {
    TrailARN: trail.arn,
    ...(basic ? { EventSelectors: basic } : {}),
    ...(advanced ? { AdvancedEventSelectors: advanced } : {}),
  };
}

/** GetEventSelectors: what the trail selects, CloudTrail's default when it was never told. */
export async function getEventSelectors(
  ctx: OperationContext,
  input: GetEventSelectorsRequest,
): Promise<GetEventSelectorsResponse> {
  const trail = await resolveTrail(ctx, input.TrailName);
  if (trail.advancedEventSelectors) {
    return { TrailARN: trail.arn, AdvancedEventSelectors: trail.advancedEventSelectors };
  }
  return { TrailARN: trail.arn, EventSelectors: trail.eventSelectors ?? DEFAULT_EVENT_SELECTORS };
}

function checkedSelectors(input: PutEventSelectorsRequest): {
  basic?: EventSelector[];
  advanced?: AdvancedEventSelector[];
} {
  const { EventSelectors: basic, AdvancedEventSelectors: advanced } = input;
  if (basic !== undefined && advanced !== undefined) {
    throw new InvalidParameterCombinationException(
      'You cannot specify both EventSelectors and AdvancedEventSelectors in a PutEventSelectors request.',
    );
  }
  if (advanced !== undefined) return { advanced: checkAdvanced(advanced) };
  if (basic === undefined) {
    throw new InvalidParameterCombinationException(
      'You must specify either EventSelectors or AdvancedEventSelectors in a PutEventSelectors request.',
    );
  }
  return { basic: checkBasic(basic) };
}

function checkBasic(selectors: EventSelector[]): EventSelector[] {
  if (selectors.length > MAX_SELECTORS) {
    throw new InvalidEventSelectorsException(
      `A trail can have at most ${MAX_SELECTORS} event selectors.`,
    );
  }
  let values = 0;
  const filled = selectors.map((selector) => {
    for (const source of selector.ExcludeManagementEventSources ?? []) {
      if (!EXCLUDABLE_SOURCES.includes(source)) {
        throw new InvalidEventSelectorsException(
          `Event source ${source} cannot be excluded: only ${EXCLUDABLE_SOURCES.join(' and ')} can.`,
        );
      }
    }
    for (const resource of selector.DataResources ?? []) {
      if (!DATA_RESOURCE_TYPES.includes(resource.Type ?? '')) {
        throw new InvalidEventSelectorsException(
          `Invalid data resource type: ${resource.Type ?? ''}`,
        );
      }
      values += resource.Values?.length ?? 0;
    }
    return {
      ReadWriteType: selector.ReadWriteType ?? 'All',
      IncludeManagementEvents: selector.IncludeManagementEvents ?? true,
      DataResources: selector.DataResources ?? [],
      ExcludeManagementEventSources: selector.ExcludeManagementEventSources ?? [],
    };
  });
  if (values > MAX_DATA_VALUES) {
    throw new InvalidEventSelectorsException(
      `A trail's event selectors can name at most ${MAX_DATA_VALUES} data resources.`,
    );
  }
  return filled;
}

function checkAdvanced(selectors: AdvancedEventSelector[]): AdvancedEventSelector[] {
  let conditions = 0;
  for (const selector of selectors) {
    const fields = selector.FieldSelectors.map((field) => field.Field);
    if (!fields.includes('eventCategory')) {
      throw new InvalidEventSelectorsException(
        'Each advanced event selector must include an eventCategory field selector.',
      );
    }
    for (const field of selector.FieldSelectors) {
      if (!ADVANCED_FIELDS.includes(field.Field)) {
        throw new InvalidEventSelectorsException(`Invalid field selector field: ${field.Field}`);
      }
      conditions += countConditions(field);
    }
  }
  if (conditions > MAX_ADVANCED_CONDITIONS) {
    throw new InvalidEventSelectorsException(
      `Advanced event selectors can have at most ${MAX_ADVANCED_CONDITIONS} conditions in total.`,
    );
  }
  return selectors;
}

function countConditions(field: AdvancedEventSelector['FieldSelectors'][number]): number {
  const lists = [
    field.Equals,
    field.StartsWith,
    field.EndsWith,
    field.NotEquals,
    field.NotStartsWith,
    field.NotEndsWith,
  ];
  return lists.reduce((sum, list) => sum + (list?.length ?? 0), 0);
}
