import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TestCredentials } from './fedgate.js';

const run = promisify(execFile);

/** The AWS CLI v2 from Debian's `awscli` package (a pip v1 may shadow plain `aws`). */
export const AWS_CLI = '/usr/bin/aws';

/** Fails loudly, naming the package, when the AWS CLI v2 is not installed. */
export function requireAwsCli(): void {
  if (!existsSync(AWS_CLI)) {
    throw new Error(
      `${AWS_CLI} is missing: install the Debian package 'awscli' (apt-get install -y awscli)`,
    );
  }
}

/** What one CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `/usr/bin/aws <args> --endpoint-url <endpoint>` with only the given credentials. */
export async function awsCli(
  endpoint: string,
  credentials: TestCredentials,
  region: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  const env = cliEnvironment(credentials, region, extraEnv);
  return runCli([...args, '--endpoint-url', endpoint, '--output', 'json'], env);
}

/**
 * Runs `/usr/bin/aws <args>` with no --endpoint-url: the CLI picks the AWS host name itself, as
 * in host names mode, where /etc/hosts sends those names to fedgate.
 */
export async function awsCliByHostName(
  credentials: TestCredentials,
  region: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  const env = cliEnvironment(credentials, region, extraEnv);
  return runCli([...args, '--output', 'json'], env);
}

/** Runs `/usr/bin/aws` and answers how it ended, failing or not. */
async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  requireAwsCli();
  try {
    const { stdout, stderr } = await run(AWS_CLI, args, { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The environment a CLI run gets: only the given credentials and region, no user config. */
export function cliEnvironment(
  credentials: TestCredentials,
  region: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    ...extra,
  };
}
