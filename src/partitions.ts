/**
 * The regions fedgate serves and the partition each belongs to. The partition
 * decides every ARN (`arn:aws-us-gov:` in GovCloud) and which features exist:
 * Fargate FIPS-140 mode is offered only in the AWS GovCloud (US) Regions.
 */
export type PartitionName = 'aws' | 'aws-us-gov';

/** A region as fedgate knows it. */
export interface Region {
  readonly name: string;
  readonly partition: PartitionName;
  /** True in the AWS GovCloud (US) Regions. */
  readonly govCloud: boolean;
}

const REGIONS: readonly Region[] = [
  { name: 'us-gov-east-1', partition: 'aws-us-gov', govCloud: true },
  { name: 'us-gov-west-1', partition: 'aws-us-gov', govCloud: true },
  { name: 'us-east-1', partition: 'aws', govCloud: false },
  { name: 'us-east-2', partition: 'aws', govCloud: false },
  { name: 'us-west-1', partition: 'aws', govCloud: false },
  { name: 'us-west-2', partition: 'aws', govCloud: false },
];

const BY_NAME = new Map(REGIONS.map((region) => [region.name, region]));

/** Every region fedgate serves. */
export function allRegions(): readonly Region[] {
  return REGIONS;
}

/** The region named `name`, or undefined when fedgate does not serve it. */
export function findRegion(name: string): Region | undefined {
  return BY_NAME.get(name);
}

/** The regions of one partition, as a multi-region trail sees them. */
export function regionsOf(partition: PartitionName): Region[] {
  return REGIONS.filter((region) => region.partition === partition);
}
