import { isTlsVersion, type TlsVersion } from './tls/policy.js';

/** Everything `fedgate serve` can be told, by flag or `FEDGATE_*` variable. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Also serve HTTPS (FIPS TLS policy) on `tlsPort`; HTTP keeps listening on `port`. */
  readonly tls: boolean;
  readonly tlsPort: number;
  /** PEM certificate (chain) and key files to serve as given; else the private CA's. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** The highest TLS version offered: TLSv1.2 reproduces records of TLS 1.2 clients. */
  readonly tlsMaxVersion?: TlsVersion;
  /** Holds the SQLite store, the master key and the credentials file. */
  readonly dataDir: string;
  /** The region written into the generated AWS config file. */
  readonly region: string;
  readonly logLevel: string;
  /** LookupEvents requests per second per account and region (AWS: 2). */
  readonly lookupEventsRate: number;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest S3 object (or multipart part) body accepted, in bytes. */
  readonly maxObjectBytes: number;
  /** Where pulled images are cached; `<data-dir>/images` when absent. */
  readonly imagesDir?: string;
  /** Registries (`host` or `host:port`) pulled from over plain HTTP; loopback always is. */
  readonly insecureRegistries: readonly string[];
  /** A Docker-style config.json with registry credentials for image pulls. */
  readonly registryAuthFile?: string;
  /** Seconds between trail log deliveries (AWS: about 300). */
  readonly trailDeliveryInterval: number;
  /** Seconds between digests of a trail with log file validation (AWS: 3600). */
  readonly digestInterval: number;
  /** An S3-compatible server trails deliver to when fedgate does not hold their bucket. */
  readonly trailS3?: {
    readonly endpoint: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  };
  /** Root credentials fixed by the environment for scripts. */
  readonly fixedRoot: {
    readonly accountId?: string;
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
  };
}

/** The defaults, overridden by environment variables; flags override both. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.FEDGATE_HOST ?? '127.0.0.1',
    port: numberOr(env.FEDGATE_PORT, 4510),
    tls: flag(env.FEDGATE_TLS),
    tlsPort: numberOr(env.FEDGATE_TLS_PORT, 4511),
    ...(env.FEDGATE_TLS_CERT ? { tlsCert: env.FEDGATE_TLS_CERT } : {}),
    ...(env.FEDGATE_TLS_KEY ? { tlsKey: env.FEDGATE_TLS_KEY } : {}),
    ...(env.FEDGATE_TLS_MAX_VERSION
      ? { tlsMaxVersion: tlsVersion(env.FEDGATE_TLS_MAX_VERSION) }
      : {}),
    dataDir: env.FEDGATE_DATA_DIR ?? '.fedgate',
    region: env.FEDGATE_REGION ?? 'us-gov-west-1',
    logLevel: env.FEDGATE_LOG_LEVEL ?? 'info',
    lookupEventsRate: numberOr(env.FEDGATE_LOOKUP_EVENTS_RATE, 2),
    maxBodyBytes: numberOr(env.FEDGATE_MAX_BODY_BYTES, 10 * 1024 * 1024),
    maxObjectBytes: numberOr(env.FEDGATE_MAX_OBJECT_BYTES, 512 * 1024 * 1024),
    ...(env.FEDGATE_IMAGES_DIR ? { imagesDir: env.FEDGATE_IMAGES_DIR } : {}),
    insecureRegistries: (env.FEDGATE_INSECURE_REGISTRY ?? '').split(',').filter(Boolean),
    ...(env.FEDGATE_REGISTRY_AUTH_FILE ? { registryAuthFile: env.FEDGATE_REGISTRY_AUTH_FILE } : {}),
    trailDeliveryInterval: numberOr(env.FEDGATE_TRAIL_DELIVERY_INTERVAL, 300),
    digestInterval: numberOr(env.FEDGATE_DIGEST_INTERVAL, 3600),
    ...trailS3FromEnv(env),
    fixedRoot: {
      accountId: env.FEDGATE_ACCOUNT_ID,
      accessKeyId: env.FEDGATE_ROOT_ACCESS_KEY_ID,
      secretAccessKey: env.FEDGATE_ROOT_SECRET_ACCESS_KEY,
    },
  };
}

/**
 * The external S3 endpoint for trails. Its credentials come only from the
 * environment, never from flags, so they do not show in the process list.
 */
function trailS3FromEnv(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'trailS3'> {
  const endpoint = env.FEDGATE_TRAIL_S3_ENDPOINT;
  if (!endpoint) return {};
  return {
    trailS3: {
      endpoint,
      region: env.FEDGATE_TRAIL_S3_REGION ?? 'us-east-1',
      accessKeyId: env.FEDGATE_TRAIL_S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.FEDGATE_TRAIL_S3_SECRET_ACCESS_KEY ?? '',
    },
  };
}

function numberOr(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`expected a number, got '${text}'`);
  return value;
}

/** A boolean variable: 1, true, yes or on (any case) mean true. */
function flag(text: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((text ?? '').toLowerCase());
}

/** A TLS version the FIPS policy allows, or an error saying which are. */
export function tlsVersion(text: string): TlsVersion {
  if (!isTlsVersion(text)) throw new Error(`expected TLSv1.2 or TLSv1.3, got '${text}'`);
  return text;
}
