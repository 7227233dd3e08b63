import { isIP } from 'node:net';
import { Option, type Command } from 'commander';
import { allRegions, findRegion, type Region } from '../partitions.js';
import {
  HOSTS_BLOCK_BEGIN,
  HOSTS_BLOCK_END,
  hostsBlock,
  VIRTUAL_HOST_BUCKET,
} from '../tls/hosts-file.js';

const HELP = `
The AWS CLI and SDKs then reach fedgate with no --endpoint-url: run \`fedgate serve --tls
--tls-port 443\` on that address and trust its CA (export AWS_CA_BUNDLE=$(fedgate ca path)).

/etc/hosts has no wildcards, so the certificate's *.s3.<region>.amazonaws.com names are not
printed: S3 virtual-hosted buckets (<bucket>.s3.<region>.amazonaws.com, what the AWS CLI calls)
need a line each (--bucket NAME), or path-style addressing
(aws configure set default.s3.addressing_style path).

Examples:
  sudo sh -c 'npx fedgate hosts >> /etc/hosts'
  npx fedgate hosts --region us-gov-east-1 --region us-gov-west-1 --bucket my-bucket
Remove the block again:
  sudo sed -i '/^${HOSTS_BLOCK_BEGIN}$/,/^${HOSTS_BLOCK_END}$/d' /etc/hosts`;

/** Adds `fedgate hosts`: the /etc/hosts lines of the "host names" mode. */
export function registerHostsCommand(program: Command): void {
  program
    .command('hosts')
    .description(
      'Print /etc/hosts lines sending every AWS host name fedgate answers (ecs, ecs-fips, ' +
        'cloudtrail, sts, s3, ssmmessages… of each region) to its address.',
    )
    .addOption(new Option('--address <ip>', "fedgate's HTTPS address").default('127.0.0.1'))
    .addOption(
      new Option('--region <region>', 'only this region; repeatable')
        .argParser(collect)
        .default([], 'every region fedgate serves'),
    )
    .addOption(
      new Option('--bucket <name>', 'also an S3 bucket by virtual host; repeatable')
        .argParser(collect)
        .default([], 'none'),
    )
    .addHelpText('after', HELP)
    .action((options: HostsOptions) => printHosts(options));
}

interface HostsOptions {
  address: string;
  region: string[];
  bucket: string[];
}

function printHosts(options: HostsOptions): void {
  if (isIP(options.address) === 0) {
    fail(`--address takes an IP address (as /etc/hosts does), not '${options.address}'`);
  }
  for (const bucket of options.bucket) {
    if (!VIRTUAL_HOST_BUCKET.test(bucket)) {
      fail(
        `bucket '${bucket}' cannot be called by virtual host under the certificate's wildcard ` +
          '(3-63 lower-case letters, digits and hyphens, no dots): use path-style addressing',
      );
    }
  }
  const lines = hostsBlock({
    address: options.address,
    regions: regionsOf(options.region),
    buckets: options.bucket,
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The regions named, or every region fedgate serves when none is. */
function regionsOf(names: readonly string[]): readonly Region[] {
  if (names.length === 0) return allRegions();
  return names.map(
    (name) =>
      findRegion(name) ??
      fail(
        `region '${name}' is not served; fedgate serves ` +
          allRegions()
            .map((region) => region.name)
            .join(', '),
      ),
  );
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function fail(message: string): never {
  process.stderr.write(`fedgate: ${message}\n`);
  process.exit(1);
}
