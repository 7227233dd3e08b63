import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { awsCli, requireAwsCli } from '../support/aws-cli.js';
import { awsCliV1, requireAwsCliV1 } from '../support/aws-cli-v1.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { cloudTrailBucketPolicy, trailS3Client } from '../support/trail-bucket.js';
import { readDelivered } from '../support/trail-logs.js';

const EAST = 'us-gov-east-1';
const WEST = 'us-gov-west-1';
const BUCKET = 'audit-trail-logs';

interface DigestFile {
  digestS3Object: string;
  logFiles: { s3Object: string }[];
}

/**
 * The README's path from an empty bucket to a passing `validate-logs`, with
 * the AWS CLI v2 for the APIs and the AWS CLI v1 (whose S3 client can be
 * pointed at fedgate) for validate-logs; then tampering, which it must catch.
 */
describe('aws cloudtrail validate-logs', () => {
  let server: TestServer;
  let work: string;
  let trailArn: string;
  let startTime: string;
  const v2 = (region: string, args: string[]) => awsCli(server.url, server.root, region, args);
  const v1 = (region: string, args: string[]) => awsCliV1(server.url, server.root, region, args);

  before(async () => {
    requireAwsCli();
    requireAwsCliV1();
    server = await startTestServer({ trailDeliveryInterval: 3600, digestInterval: 1 });
    work = mkdtempSync(join(tmpdir(), 'fedgate-validate-'));
    startTime = new Date(Date.now() - 60_000).toISOString();

    await makeBucketAndTrail();
    for (let round = 0; round < 4; round += 1) await callsThenDelivery(round);
    // One more digest interval, so the last round's log files are in a digest too.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.trails.flush();
  });

  after(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function ok(result: Promise<{ code: number; stdout: string; stderr: string }>) {
    const done = await result;
    assert.equal(done.code, 0, done.stderr);
    return done.stdout;
  }

  async function makeBucketAndTrail(): Promise<void> {
    await ok(
      v2(WEST, [
        's3api',
        'create-bucket',
        '--bucket',
        BUCKET,
        '--create-bucket-configuration',
        `LocationConstraint=${WEST}`,
      ]),
    );
    const policyFile = join(work, 'policy.json');
    const policy = cloudTrailBucketPolicy({
      bucket: BUCKET,
      accountId: server.root.accountId,
      partition: 'aws-us-gov',
    });
    writeFileSync(policyFile, policy);
    await ok(
      v2(WEST, [
        's3api',
        'put-bucket-policy',
        '--bucket',
        BUCKET,
        '--policy',
        `file://${policyFile}`,
      ]),
    );
    const created = await ok(
      v2(WEST, [
        'cloudtrail',
        'create-trail',
        '--name',
        'audit',
        '--s3-bucket-name',
        BUCKET,
        '--is-multi-region-trail',
        '--enable-log-file-validation',
      ]),
    );
    trailArn = (JSON.parse(created) as { TrailARN: string }).TrailARN;
    await ok(v2(WEST, ['cloudtrail', 'start-logging', '--name', 'audit']));
  }

  /** Calls in both regions, then a delivery once a digest is due, so each digest has logs. */
  async function callsThenDelivery(round: number): Promise<void> {
    for (const region of [EAST, WEST]) {
      const value = round % 2 === 0 ? 'enabled' : 'disabled';
      await ok(
        v2(region, [
          'ecs',
          'put-account-setting-default',
          '--name',
          'fargateFIPSMode',
          '--value',
          value,
        ]),
      );
      await ok(v2(region, ['ecs', 'list-account-settings', '--effective-settings']));
    }
    await new Promise((resolve) => setTimeout(resolve, 2100)); // past the 1 s digest interval
    await server.trails.flush();
  }

  async function validate(region: string) {
    return v1(region, [
      'cloudtrail',
      'validate-logs',
      '--trail-arn',
      trailArn,
      '--start-time',
      startTime,
      '--verbose',
      // The chain of each region a multi-region trail records is validated in that region.
      '--region',
      region,
    ]);
  }

  it('reports every digest and log file valid in both regions', async () => {
    for (const region of [WEST, EAST]) {
      const result = await validate(region);
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const digests = /(\d+)\/(\d+) digest files valid/.exec(result.stdout);
      const logs = /(\d+)\/(\d+) log files valid/.exec(result.stdout);
      assert.ok(digests && logs, result.stdout);
      assert.equal(digests[1], digests[2]);
      assert.equal(logs[1], logs[2]);
      assert.ok(Number(logs[1]) >= 4, `expected a log per round in ${region}: ${result.stdout}`);
      assert.doesNotMatch(result.stdout + result.stderr, /INVALID/);
    }
  });

  it('reports a modified log, a deleted log and a deleted digest INVALID and exits 1', async () => {
    const s3 = trailS3Client({ endpoint: server.url, credentials: server.root, region: WEST });
    const prefix = `AWSLogs/${server.root.accountId}/CloudTrail-Digest/${WEST}/`;
    const digests = (await readDelivered(s3, BUCKET, prefix))
      .map((file) => JSON.parse(file.text) as DigestFile)
      .filter((digest) => digest.logFiles.length > 0)
      .sort((a, b) => a.digestS3Object.localeCompare(b.digestS3Object));
    assert.ok(digests.length >= 3, 'three digests with log files');
    const [first, second, third] = digests as [DigestFile, DigestFile, DigestFile];
    const modified = first.logFiles[0]?.s3Object ?? '';
    const deleted = second.logFiles[0]?.s3Object ?? '';

    // Someone edits a record (its eventName) and puts the log back, gzip'd as before.
    const [original] = await readDelivered(s3, BUCKET, modified);
    const text = original?.text ?? '';
    const forged = text.replace(/"eventName":"[A-Za-z]+"/, '"eventName":"Nothing"');
    assert.notEqual(forged, text);
    const edited = join(work, 'edited.json.gz');
    writeFileSync(edited, gzipSync(Buffer.from(forged)));
    await ok(v2(WEST, ['s3', 'cp', edited, `s3://${BUCKET}/${modified}`]));
    const [replaced] = await readDelivered(s3, BUCKET, modified);
    assert.equal(replaced?.text, forged, 'the bucket holds the edited log');
    await ok(v2(WEST, ['s3', 'rm', `s3://${BUCKET}/${deleted}`]));
    await ok(v2(WEST, ['s3', 'rm', `s3://${BUCKET}/${third.digestS3Object}`]));

    const result = await validate(WEST);
    const report = result.stdout + result.stderr;
    assert.equal(result.code, 1, report);
    assert.match(
      report,
      new RegExp(`Log file\\ts3://${BUCKET}/${modified}\\tINVALID: hash value doesn't match`),
    );
    assert.match(report, new RegExp(`Log file\\ts3://${BUCKET}/${deleted}\\tINVALID: not found`));
    assert.match(
      report,
      new RegExp(`Digest file\\ts3://${BUCKET}/${third.digestS3Object}\\tINVALID: not found`),
    );
    assert.match(report, /digest files INVALID/);
    assert.match(report, /log files INVALID/);
  });
});
