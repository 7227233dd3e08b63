import { performance } from 'node:perf_hooks';
import { awsCliV1, requireAwsCliV1 } from '../test/support/aws-cli-v1.js';
import type { Credentials, Target } from './sign.js';

/** What `aws cloudtrail validate-logs` made of the delivered files, or why it did not run. */
export type ValidateResult =
  | {
      readonly ran: true;
      readonly seconds: number;
      readonly exitCode: number;
      readonly region: string;
      /** `N/N digest files valid`, `M/M log files valid`, and any INVALID lines' count. */
      readonly summary: readonly string[];
    }
  | { readonly ran: false; readonly reason: string };

/**
 * Runs the pip AWS CLI v1's `validate-logs` (its S3 client follows AWS_ENDPOINT_URL_S3 to
 * fedgate) over the trail's chain in one region, timed; skipped, with the reason, when no
 * suitable CLI is installed: the benchmark measures, it does not fail on a missing tool.
 */
export async function runValidateLogs(
  target: Target,
  credentials: Credentials,
  trail: { trailArn: string; startTime: Date; region: string },
): Promise<ValidateResult> {
  try {
    requireAwsCliV1();
  } catch (error) {
    return { ran: false, reason: error instanceof Error ? error.message : String(error) };
  }
  process.stderr.write(`bench: trails: aws cloudtrail validate-logs --region ${trail.region}\n`);
  const started = performance.now();
  const endpoint = `http://${target.hostname}:${target.port}`;
  const result = await awsCliV1(endpoint, credentials, trail.region, [
    'cloudtrail',
    'validate-logs',
    '--trail-arn',
    trail.trailArn,
    '--start-time',
    trail.startTime.toISOString(),
    '--region',
    trail.region,
  ]);
  const seconds = (performance.now() - started) / 1000;
  const output = `${result.stdout}\n${result.stderr}`;
  const summary = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\d+\/\d+ (digest|log) files (valid|INVALID)/.test(line));
  if (summary.length === 0) summary.push(lastLine(output));
  return { ran: true, seconds, exitCode: result.code, region: trail.region, summary };
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '(no output)';
}
