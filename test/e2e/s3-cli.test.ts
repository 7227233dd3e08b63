import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { awsCli, type CliResult } from '../support/aws-cli.js';
import { cloudTrailClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';

const REGION = 'us-gov-west-1';
const BUCKET = 'cli-bucket';

describe('S3 through the AWS CLI v2', () => {
  let server: TestServer;
  let work: string;
  const aws = (...args: string[]): Promise<CliResult> =>
    awsCli(server.url, server.root, REGION, args);
  const ok = async (...args: string[]): Promise<string> => {
    const result = await aws(...args);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };

  before(async () => {
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'fedgate-s3-cli-'));
  });
  after(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('makes and lists a bucket and answers its location', async () => {
    await ok('s3', 'mb', `s3://${BUCKET}`);
    assert.match(await ok('s3', 'ls'), new RegExp(`\\s${BUCKET}$`, 'm'));

    const location = JSON.parse(
      await ok('s3api', 'get-bucket-location', '--bucket', BUCKET),
    ) as Record<string, unknown>;
    assert.equal(location.LocationConstraint, REGION);
  });

  it('copies a small and a 20 MiB (multipart) file in and back unchanged', async () => {
    const small = join(work, 'small.txt');
    const big = join(work, 'big.bin');
    writeFileSync(small, 'hello from fedgate\n');
    writeFileSync(big, randomBytes(20 * 1024 * 1024));

    await ok('s3', 'cp', small, `s3://${BUCKET}/docs/small.txt`);
    await ok('s3', 'cp', big, `s3://${BUCKET}/blobs/big.bin`);
    await ok('s3', 'cp', `s3://${BUCKET}/docs/small.txt`, join(work, 'small.back'));
    await ok('s3', 'cp', `s3://${BUCKET}/blobs/big.bin`, join(work, 'big.back'));

    assert.deepEqual(readFileSync(join(work, 'small.back')), readFileSync(small));
    assert.ok(readFileSync(join(work, 'big.back')).equals(readFileSync(big)));
    const head = JSON.parse(
      await ok('s3api', 'head-object', '--bucket', BUCKET, '--key', 'blobs/big.bin'),
    ) as Record<string, unknown>;
    assert.equal(head.ContentLength, 20 * 1024 * 1024);
    assert.match(String(head.ETag), /^"[0-9a-f]{32}-\d+"$/);
  });

  it('puts, gets and deletes a bucket policy', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws-us-gov:s3:::${BUCKET}/*`,
        },
      ],
    });
    await ok('s3api', 'put-bucket-policy', '--bucket', BUCKET, '--policy', policy);
    const got = JSON.parse(await ok('s3api', 'get-bucket-policy', '--bucket', BUCKET)) as {
      Policy: string;
    };
    assert.deepEqual(JSON.parse(got.Policy), JSON.parse(policy));

    const bad = await aws('s3api', 'put-bucket-policy', '--bucket', BUCKET, '--policy', 'nope');
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /MalformedPolicy/);

    await ok('s3api', 'delete-bucket-policy', '--bucket', BUCKET);
    const gone = await aws('s3api', 'get-bucket-policy', '--bucket', BUCKET);
    assert.match(gone.stderr, /NoSuchBucketPolicy/);
  });

  it('lists with a prefix, a delimiter and url encoding', async () => {
    await ok('s3', 'cp', join(work, 'small.back'), `s3://${BUCKET}/docs/sub dir/a+b.txt`);
    const listed = JSON.parse(
      await ok(
        's3api',
        'list-objects',
        '--bucket',
        BUCKET,
        '--prefix',
        'docs/',
        '--delimiter',
        '/',
        '--encoding-type',
        'url',
      ),
    ) as { Contents?: { Key: string }[]; CommonPrefixes?: { Prefix: string }[] };
    assert.deepEqual(
      listed.Contents?.map((item) => item.Key),
      ['docs/small.txt'],
    );
    // An explicit --encoding-type leaves decoding to the caller: S3 writes a space as '+'.
    assert.deepEqual(listed.CommonPrefixes, [{ Prefix: 'docs/sub+dir/' }]);

    // Without one, the CLI asks for url encoding itself and decodes the answer.
    const all = JSON.parse(await ok('s3api', 'list-objects-v2', '--bucket', BUCKET)) as {
      Contents: { Key: string }[];
    };
    assert.deepEqual(
      all.Contents.map((item) => item.Key),
      ['blobs/big.bin', 'docs/small.txt', 'docs/sub dir/a+b.txt'],
    );
  });

  it('returns NoSuchBucket and NoSuchKey through the CLI', async () => {
    const noBucket = await aws('s3api', 'head-bucket', '--bucket', 'no-such-bucket-here');
    assert.equal(noBucket.code, 254);
    assert.match(noBucket.stderr, /404/);

    const listMissing = await aws('s3api', 'list-objects-v2', '--bucket', 'no-such-bucket-here');
    assert.equal(listMissing.code, 254);
    assert.match(listMissing.stderr, /NoSuchBucket/);

    const noKey = await aws(
      's3api',
      'get-object',
      '--bucket',
      BUCKET,
      '--key',
      'missing.txt',
      join(work, 'x'),
    );
    assert.equal(noKey.code, 254);
    assert.match(noKey.stderr, /NoSuchKey/);
  });

  it('refuses to remove a bucket that is not empty, then removes objects and bucket', async () => {
    const full = await aws('s3api', 'delete-bucket', '--bucket', BUCKET);
    assert.equal(full.code, 254);
    assert.match(full.stderr, /BucketNotEmpty/);

    await ok('s3', 'rm', `s3://${BUCKET}`, '--recursive');
    await ok('s3', 'rb', `s3://${BUCKET}`);
    assert.doesNotMatch(await ok('s3', 'ls'), new RegExp(BUCKET));
  });

  it('records bucket calls in the event history but not object calls', async () => {
    const trail = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: REGION,
    });
    const found = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }],
      }),
    );
    const names = new Set((found.Events ?? []).map((event) => event.EventName));
    assert.ok(names.has('CreateBucket'), [...names].join(','));
    assert.ok(names.has('PutBucketPolicy'));
    assert.ok(names.has('DeleteBucket'));
    assert.ok(!names.has('PutObject'));
    assert.ok(!names.has('GetObject'));
    assert.ok(!names.has('UploadPart'));

    const create = (found.Events ?? []).find((event) => event.EventName === 'CreateBucket');
    const record = JSON.parse(create?.CloudTrailEvent ?? '{}') as {
      requestParameters: Record<string, unknown>;
      eventSource: string;
    };
    assert.equal(record.eventSource, 's3.amazonaws.com');
    assert.equal(record.requestParameters.bucketName, BUCKET);
    assert.equal(typeof record.requestParameters.Host, 'string');
  });
});
