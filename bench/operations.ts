/** The AWS JSON 1.1 calls the benchmark sends. */

/** The region every request is signed for. */
export const REGION = 'us-gov-west-1';

/** One JSON 1.1 call: which service signs it, its X-Amz-Target and its body. */
export interface Operation {
  readonly name: string;
  readonly service: 'ecs' | 'cloudtrail';
  readonly target: string;
  readonly body: string;
}

const ECS_PREFIX = 'AmazonEC2ContainerServiceV20141113';
const CLOUDTRAIL_PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

/** ECS ListAccountSettings with no filter. */
export const LIST_ACCOUNT_SETTINGS: Operation = {
  name: 'ListAccountSettings',
  service: 'ecs',
  target: `${ECS_PREFIX}.ListAccountSettings`,
  body: '{}',
};

/** ECS PutAccountSetting for the caller: a write that also records a CloudTrail event. */
export const PUT_ACCOUNT_SETTING: Operation = {
  name: 'PutAccountSetting',
  service: 'ecs',
  target: `${ECS_PREFIX}.PutAccountSetting`,
  body: JSON.stringify({ name: 'containerInsights', value: 'enabled' }),
};

/** The operations measured for throughput, in the order they run. */
export const THROUGHPUT_OPERATIONS: readonly Operation[] = [
  LIST_ACCOUNT_SETTINGS,
  PUT_ACCOUNT_SETTING,
];

/** What a LookupEvents request asks for. */
export interface LookupInput {
  readonly attribute?: { readonly key: string; readonly value: string };
  /** Epoch seconds. */
  readonly startTime?: number;
  /** Epoch seconds. */
  readonly endTime?: number;
  readonly maxResults: number;
}

/** CloudTrail LookupEvents with the given filter. */
export function lookupEvents(name: string, input: LookupInput): Operation {
  const body: Record<string, unknown> = {};
  if (input.attribute) {
    body.LookupAttributes = [
      { AttributeKey: input.attribute.key, AttributeValue: input.attribute.value },
    ];
  }
  if (input.startTime !== undefined) body.StartTime = input.startTime;
  if (input.endTime !== undefined) body.EndTime = input.endTime;
  body.MaxResults = input.maxResults;
  return {
    name,
    service: 'cloudtrail',
    target: `${CLOUDTRAIL_PREFIX}.LookupEvents`,
    body: JSON.stringify(body),
  };
}
