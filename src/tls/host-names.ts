import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { Region } from '../partitions.js';

/** A subject alternative name of the server certificate. */
export interface ServerName {
  readonly type: 'dns' | 'ip';
  readonly value: string;
}

/** The AWS service host name prefixes fedgate answers for in every region it serves. */
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

/** Virtual-host buckets (`<bucket>.s3.<region>.amazonaws.com`) need a wildcard. */
const WILDCARD_PREFIXES = ['s3', 's3-fips'] as const;

/** Global endpoints the SDKs still use for us-east-1. */
const GLOBAL_NAMES = ['sts.amazonaws.com', 's3.amazonaws.com', '*.s3.amazonaws.com'];

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
    for (const prefix of REGIONAL_PREFIXES) dns.add(`${prefix}.${region.name}.amazonaws.com`);
    for (const prefix of WILDCARD_PREFIXES) dns.add(`*.${prefix}.${region.name}.amazonaws.com`);
  }
  for (const name of GLOBAL_NAMES) dns.add(name);
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
