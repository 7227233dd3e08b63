import { Command, InvalidArgumentError, Option } from 'commander';
import { configFromEnv, type ServerConfig } from '../config.js';
import type { TlsVersion } from '../tls/policy.js';
import { registerAccountCommands } from './accounts.js';
import { registerCaCommands } from './ca.js';
import { registerEventCommands } from './events.js';
import { registerHostsCommand } from './hosts.js';
import { runServe } from './serve.js';
import { registerSessionCommands } from './sessions.js';
import { registerTaskCommands } from './tasks.js';

/** Runs the `fedgate` command line with `argv` (as in process.argv). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  await program.parseAsync(argv);
}

function buildProgram(): Command {
  const defaults = configFromEnv();
  const program = new Command('fedgate')
    .description(
      'Self-hosted, wire-compatible Amazon ECS on Fargate with FIPS-140 mode, and the CloudTrail audit trail around it.',
    )
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('serve')
    .description(
      'Start the API server (ECS, CloudTrail, S3, STS) over HTTP, and HTTPS with --tls, on the embedded SQLite store.',
    )
    .addOption(
      new Option('--host <host>', 'address to listen on')
        .env('FEDGATE_HOST')
        .default(defaults.host),
    )
    .addOption(
      new Option('--port <port>', 'TCP port for HTTP')
        .env('FEDGATE_PORT')
        .default(defaults.port)
        .argParser(port),
    )
    .addOption(dataDirOption(defaults.dataDir))
    .addOption(
      // No .env(): Commander would take FEDGATE_TLS=0 as true; configFromEnv reads it properly.
      new Option('--tls', 'also serve HTTPS with the FIPS TLS policy (env FEDGATE_TLS=1)').default(
        defaults.tls,
      ),
    )
    .addOption(
      new Option('--tls-port <port>', 'TCP port for HTTPS')
        .env('FEDGATE_TLS_PORT')
        .default(defaults.tlsPort)
        .argParser(port),
    )
    .addOption(
      new Option(
        '--tls-cert <file>',
        'PEM certificate (chain) to serve as given, with --tls-key (default: one issued by ' +
          "fedgate's private CA in <data-dir>/tls)",
      ).env('FEDGATE_TLS_CERT'),
    )
    .addOption(
      new Option('--tls-key <file>', 'PEM private key of --tls-cert').env('FEDGATE_TLS_KEY'),
    )
    .addOption(
      new Option(
        '--tls-max-version <version>',
        'highest TLS version offered; TLSv1.2 makes clients negotiate what CloudTrail ' +
          'records as TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256',
      )
        .env('FEDGATE_TLS_MAX_VERSION')
        .choices(['TLSv1.2', 'TLSv1.3']),
    )
    .addOption(
      new Option('--region <region>', 'region written into the generated AWS config file')
        .env('FEDGATE_REGION')
        .default(defaults.region),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'pino log level (fatal, error, warn, info, debug, trace, silent)',
      )
        .env('FEDGATE_LOG_LEVEL')
        .default(defaults.logLevel),
    )
    .addOption(
      new Option(
        '--lookup-events-rate <n>',
        'LookupEvents requests per second per account and region',
      )
        .env('FEDGATE_LOOKUP_EVENTS_RATE')
        .default(defaults.lookupEventsRate)
        .argParser(positive),
    )
    .addOption(
      new Option('--max-body-bytes <n>', 'largest request body accepted, in bytes')
        .env('FEDGATE_MAX_BODY_BYTES')
        .default(defaults.maxBodyBytes)
        .argParser(positive),
    )
    .addOption(
      new Option('--max-object-bytes <n>', 'largest S3 object accepted in one request, in bytes')
        .env('FEDGATE_MAX_OBJECT_BYTES')
        .default(defaults.maxObjectBytes)
        .argParser(positive),
    )
    .addOption(
      new Option('--images-dir <dir>', 'image cache (default: <data-dir>/images)').env(
        'FEDGATE_IMAGES_DIR',
      ),
    )
    .addOption(
      new Option(
        '--insecure-registry <host>',
        'registry (host or host:port) to pull from over plain HTTP; repeatable',
      )
        .argParser(collect)
        .default(defaults.insecureRegistries),
    )
    .addOption(
      new Option(
        '--registry-auth <file>',
        'Docker-style config.json with registry credentials (as written by docker/skopeo login)',
      ).env('FEDGATE_REGISTRY_AUTH_FILE'),
    )
    .addOption(
      new Option('--trail-delivery-interval <seconds>', 'seconds between trail log deliveries')
        .env('FEDGATE_TRAIL_DELIVERY_INTERVAL')
        .default(defaults.trailDeliveryInterval)
        .argParser(positive),
    )
    .addOption(
      new Option(
        '--digest-interval <seconds>',
        'seconds between digest files of trails with log file validation',
      )
        .env('FEDGATE_DIGEST_INTERVAL')
        .default(defaults.digestInterval)
        .argParser(positive),
    )
    .addOption(
      new Option(
        '--trail-s3-endpoint <url>',
        'S3-compatible endpoint for trail buckets fedgate does not hold (credentials from ' +
          'FEDGATE_TRAIL_S3_ACCESS_KEY_ID and FEDGATE_TRAIL_S3_SECRET_ACCESS_KEY)',
      ).env('FEDGATE_TRAIL_S3_ENDPOINT'),
    )
    .addHelpText(
      'after',
      '\nOn first start it creates an account and its root access key, prints them once and writes\n' +
        'an AWS credentials file (profile "fedgate") into the data directory.\n' +
        'FEDGATE_ACCOUNT_ID, FEDGATE_ROOT_ACCESS_KEY_ID and FEDGATE_ROOT_SECRET_ACCESS_KEY fix them.\n' +
        '\nWith --tls, clients trust the private CA: export AWS_CA_BUNDLE=$(fedgate ca path).',
    )
    .action(async ({ insecureRegistry, registryAuth, trailS3Endpoint, ...options }: ServeOptions) =>
      runServe({
        ...defaults,
        ...options,
        insecureRegistries: insecureRegistry,
        ...(registryAuth ? { registryAuthFile: registryAuth } : {}),
        ...trailS3Option(defaults, trailS3Endpoint),
      }),
    );

  registerAccountCommands(program, dataDirOption(defaults.dataDir));
  registerTaskCommands(program, dataDirOption(defaults.dataDir));
  registerSessionCommands(program, dataDirOption(defaults.dataDir));
  registerEventCommands(program, dataDirOption(defaults.dataDir));
  registerCaCommands(program, dataDirOption(defaults.dataDir));
  registerHostsCommand(program);
  return program;
}

interface ServeOptions {
  host: string;
  port: number;
  tls: boolean;
  tlsPort: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsMaxVersion?: TlsVersion;
  dataDir: string;
  region: string;
  logLevel: string;
  lookupEventsRate: number;
  maxBodyBytes: number;
  maxObjectBytes: number;
  imagesDir?: string;
  insecureRegistry: readonly string[];
  registryAuth?: string;
  trailDeliveryInterval: number;
  digestInterval: number;
  trailS3Endpoint?: string;
}

/** `--trail-s3-endpoint` with the region and credentials the environment gives. */
function trailS3Option(defaults: ServerConfig, endpoint: string | undefined) {
  if (!endpoint) return {};
  const base = defaults.trailS3 ?? {
    region: 'us-east-1',
    accessKeyId: process.env.FEDGATE_TRAIL_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.FEDGATE_TRAIL_S3_SECRET_ACCESS_KEY ?? '',
  };
  return { trailS3: { ...base, endpoint } };
}

/** The `--data-dir` option every command shares. */
function dataDirOption(fallback: string): Option {
  return new Option('--data-dir <dir>', 'data directory (store, keys, credentials)')
    .env('FEDGATE_DATA_DIR')
    .default(fallback);
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return value;
}

function positive(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('expected a positive number.');
  return value;
}

/** Collects a repeatable option's values, after those of FEDGATE_INSECURE_REGISTRY. */
function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}
