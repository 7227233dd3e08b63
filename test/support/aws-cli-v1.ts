import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { cliEnvironment, type CliResult } from './aws-cli.js';
import type { TestCredentials } from './fedgate.js';

const run = promisify(execFile);

/**
 * `aws cloudtrail validate-logs` reads the bucket with an S3 client that ignores
 * `--endpoint-url`; only AWS CLI v1 ≥ 1.29 (the pip package `awscli`) lets
 * `AWS_ENDPOINT_URL_S3` point it at fedgate (Debian's v2.9 does not).
 */
const MINIMUM = [1, 29];

let found: string | undefined;

/** The path of an AWS CLI v1 ≥ 1.29, or a failure that says how to get one. */
export function requireAwsCliV1(): string {
  if (found) return found;
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'aws')),
    // pip installs under pyenv put their commands here when its shims are not on PATH.
    join(homedir(), '.pyenv', 'shims', 'aws'),
    '/usr/local/bin/aws',
  ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && isRecentV1(candidate)) return (found = candidate);
  }
  throw new Error(
    'validate-logs tests need the AWS CLI v1 >= 1.29 on PATH as `aws` (pip package awscli, ' +
      "e.g. pip install 'awscli>=1.29'); Debian's awscli (v2.9) cannot point its S3 client " +
      'at a local endpoint',
  );
}

function isRecentV1(path: string): boolean {
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: 'pipe' });
    const match = /aws-cli\/1\.(\d+)/.exec(version);
    return match !== null && Number(match[1]) >= (MINIMUM[1] ?? 0);
  } catch {
    return false;
  }
}

/** Runs the AWS CLI v1 against fedgate for every service, S3 included. */
export async function awsCliV1(
  endpoint: string,
  credentials: TestCredentials,
  region: string,
  args: string[],
): Promise<CliResult> {
  const cli = requireAwsCliV1();
  const env = cliEnvironment(credentials, region, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
  });
  try {
    const { stdout, stderr } = await run(cli, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
