import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { Region } from '../partitions.js';

/** A subject alternative name of the server certificate. */
export interface ServerName {
  readonly type: 'dns' | 'ip';
  readonly value: string;
}

/**
 * The AWS service host name prefixes fedgate answers for in every region it serves. They cover
 * what the AWS CLI v2 and the SDK for JavaScript v3 call, with and without
 * AWS_USE_FIPS_ENDPOINT: in GovCloud, CloudTrail and STS are FIPS endpoints under their plain
 * names (`cloudtrail.us-gov-east-1.amazonaws.com`), ECS and S3 have `-fips` names; in the
 * commercial regions every service has both.
 */
const REGIONAL_PREFIXES = [
  'ecs',
  'ecs-fips',
  'cloudtrail',
  'cloudtrail-fips',
  'sts',
  'sts-fips',
  's3',
  's3-fips',
  // ECS Exec's data channel lives on ssmmessages at AWS.
  'ssmmessages',
] as const;

/** S3 prefixes whose virtual-host buckets (`<bucket>.s3.<region>.amazonaws.com`) need a wildcard. */
const BUCKET_PREFIXES = ['s3', 's3-fips'] as const;

/** Global endpoints the SDKs still use for us-east-1. */
const GLOBAL_NAMES = ['sts.amazonaws.com', 's3.amazonaws.com'];
const GLOBAL_WILDCARDS = ['*.s3.amazonaws.com'];
/** The region whose clients may use the global names. */
const GLOBAL_REGION = 'us-east-1';

/** The exact (wildcard-free) AWS host names of one region that fedgate answers for. */
export function regionHostNames(region: Region): string[] {
  return REGIONAL_PREFIXES.map((prefix) => `${prefix}.${region.name}.amazonaws.com`);
}

/** The global AWS host names (`sts.amazonaws.com`…) when `regions` hold the one that uses them. */
export function globalHostNames(regions: readonly Region[]): string[] {
  return regions.some((region) => region.name === GLOBAL_REGION) ? [...GLOBAL_NAMES] : [];
}

/** The virtual-host names of one bucket in a region (plain and FIPS), as the S3 clients call. */
export function bucketHostNames(bucket: string, region: Region): string[] {
  const names = BUCKET_PREFIXES.map((prefix) => `${bucket}.${prefix}.${region.name}.amazonaws.com`);
  return region.name === GLOBAL_REGION ? [...names, `${bucket}.s3.amazonaws.com`] : names;
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '']);

/**
 * The names the server certificate covers: loopback, this machine's name, the listen address
 * when it is a specific one, and the AWS service host names of `regions`, so the unchanged
 * SDKs can be pointed at fedgate by name (through /etc/hosts or DNS).
 */
export function serverNames(regions: readonly Region[], listenHost?: string): ServerName[] {
  const dns = new Set<string>(['localhost', hostname().toLowerCase()]);
  const ips = new Set<string>(['127.0.0.1', '::1']);
  if (listenHost !== undefined && !WILDCARD_ADDRESSES.has(listenHost)) {
    (isIP(listenHost) === 0 ? dns : ips).add(listenHost.toLowerCase());
  }
  for (const region of regions) {
    for (const name of regionHostNames(region)) dns.add(name);
    for (const name of bucketHostNames('*', region)) dns.add(name);
  }
  // The certificate always covers the global names, whichever regions it was made for.
  for (const name of [...GLOBAL_NAMES, ...GLOBAL_WILDCARDS]) dns.add(name);
  return [
    ...[...dns].map((value) => ({ type: 'dns' as const, value })),
    ...[...ips].map((value) => ({ type: 'ip' as const, value })),
  ];
}

/** A name list's canonical text, to tell whether a certificate covers exactly these names. */
export function namesKey(names: readonly ServerName[]): string {
  return names
    .map((name) => `${name.type}:${name.value}`)
    .sort()
    .join(',');
}
