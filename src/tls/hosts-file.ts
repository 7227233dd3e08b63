import type { Region } from '../partitions.js';
import { bucketHostNames, globalHostNames, regionHostNames } from './host-names.js';

/** The first line of the block `fedgate hosts` prints. */
export const HOSTS_BLOCK_BEGIN = '# fedgate host names begin';
/** The last line of the block `fedgate hosts` prints. */
export const HOSTS_BLOCK_END = '# fedgate host names end';

/** What the /etc/hosts block is made for. */
export interface HostsBlockOptions {
  /** The address fedgate's HTTPS listener is reached at. */
  readonly address: string;
  readonly regions: readonly Region[];
  /** S3 buckets to call by virtual host (`<bucket>.s3.<region>.amazonaws.com`). */
  readonly buckets?: readonly string[];
}

/**
 * The /etc/hosts lines sending every AWS host name fedgate answers to `address`: one line per
 * region, one for the global names, one per bucket and region, between marker comments so the
 * block can be found and removed again.
 */
export function hostsBlock(options: HostsBlockOptions): string[] {
  const { address, regions, buckets = [] } = options;
  const line = (names: readonly string[]) => `${address} ${names.join(' ')}`;
  const globals = globalHostNames(regions);
  return [
    HOSTS_BLOCK_BEGIN,
    ...regions.map((region) => line(regionHostNames(region))),
    ...(globals.length > 0 ? [line(globals)] : []),
    ...buckets.flatMap((bucket) => regions.map((region) => line(bucketHostNames(bucket, region)))),
    HOSTS_BLOCK_END,
  ];
}

/**
 * `text` without any block between a `begin` and an `end` line (both included). A block with no
 * end is kept: without its end, where it stops is a guess.
 */
export function withoutBlocks(text: string, begin: string, end: string): string {
  const kept: string[] = [];
  let block: string[] | undefined;
  for (const line of text.split('\n')) {
    if (block === undefined && line.trim() === begin) block = [];
    if (block === undefined) kept.push(line);
    else block.push(line);
    if (block !== undefined && line.trim() === end) block = undefined;
  }
  return [...kept, ...(block ?? [])].join('\n');
}

/** A bucket name a wildcard certificate name matches: one DNS label, so no dots. */
export const VIRTUAL_HOST_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
