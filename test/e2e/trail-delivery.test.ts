import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTrailCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import {
  ListAccountSettingsCommand,
  PutAccountSettingDefaultCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { cloudTrailClient, ecsClient, type ClientTarget } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import {
  cloudTrailBucketPolicy,
  createTrailBucket,
  trailS3Client,
} from '../support/trail-bucket.js';
import { deliveredRecords, readDelivered } from '../support/trail-logs.js';

const EAST = 'us-gov-east-1';
const WEST = 'us-gov-west-1';

describe('trail delivery', () => {
  let server: TestServer;
  let target: (region: string) => ClientTarget;
  let trails: CloudTrailClient;
  let ecs: Record<string, ECSClient>;
  let s3: S3Client;
  let account: string;

  before(async () => {
    // Deliveries run when the test flushes; the long interval keeps timers out of the way.
    server = await startTestServer({ trailDeliveryInterval: 3600, digestInterval: 1 });
    account = server.root.accountId;
    target = (region) => ({ endpoint: server.url, credentials: server.root, region });
    trails = cloudTrailClient(target(WEST));
    ecs = { [EAST]: ecsClient(target(EAST)), [WEST]: ecsClient(target(WEST)) };
    s3 = trailS3Client(target(WEST));
  });

  after(async () => server.stop());

  /** Event ids the store recorded for the account after the newest event named `after`. */
  async function recordedSince(eventName: string, regions: string[]): Promise<string[]> {
    const start = await server.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('account_id', '=', account)
      .where('event_name', '=', eventName)
      .executeTakeFirstOrThrow();
    const rows = await server.db
      .selectFrom('events')
      .select('event_id')
      .where('account_id', '=', account)
      .where('region', 'in', regions)
      .where('seq', '>=', Number(start.seq))
      .orderBy('seq')
      .execute();
    return rows.map((row) => row.event_id);
  }

  async function someCalls(): Promise<void> {
    for (const region of [EAST, WEST]) {
      const client = ecs[region];
      assert.ok(client);
      await client.send(new ListAccountSettingsCommand({}));
      await client.send(
        new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
      );
    }
  }

  it('delivers each record of both regions of a multi-region trail exactly once', async () => {
    const bucket = 'delivery-multi';
    await createTrailBucket(target(WEST), { bucket, accountId: account, prefix: 'audit' });
    await trails.send(
      new CreateTrailCommand({
        Name: 'everything',
        S3BucketName: bucket,
        S3KeyPrefix: 'audit',
        IsMultiRegionTrail: true,
      }),
    );
    await trails.send(new StartLoggingCommand({ Name: 'everything' }));
    await someCalls();
    await trails.send(new StopLoggingCommand({ Name: 'everything' }));
    await someCalls(); // after StopLogging: not delivered

    const expected = await recordedSince('StartLogging', [EAST, WEST]);
    await server.trails?.flush();
    await server.trails?.flush(); // a second round delivers nothing again

    const files = await readDelivered(s3, bucket, `audit/AWSLogs/${account}/CloudTrail/`);
    const keyShape = new RegExp(
      `^audit/AWSLogs/${account}/CloudTrail/(${EAST}|${WEST})/\\d{4}/\\d\\d/\\d\\d/` +
        `${account}_CloudTrail_\\1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
    );
    for (const file of files) assert.match(file.key, keyShape);

    const records = await deliveredRecords(s3, bucket, `audit/AWSLogs/${account}/CloudTrail/`);
    const ids = records.map((record) => record.eventID as string);
    const names = records.map((record) => record.eventName);
    assert.ok(names.includes('StartLogging') && names.includes('StopLogging'));
    assert.deepEqual(new Set(ids).size, ids.length, 'no record twice');
    assert.deepEqual(
      [...ids].sort(),
      expected.slice(0, expected.length - 4).sort(),
      'exactly the records from StartLogging to StopLogging',
    );
    assert.deepEqual(new Set(records.map((record) => record.awsRegion)), new Set([EAST, WEST]));
  });

  it('delivers only the home region of a single-region trail, and only what its selector wants', async () => {
    const bucket = 'delivery-single';
    const east = cloudTrailClient(target(EAST));
    await createTrailBucket(target(EAST), { bucket, accountId: account });
    await east.send(new CreateTrailCommand({ Name: 'east-writes', S3BucketName: bucket }));
    await east.send(
      new PutEventSelectorsCommand({
        TrailName: 'east-writes',
        EventSelectors: [{ ReadWriteType: 'WriteOnly' }],
      }),
    );
    await east.send(new StartLoggingCommand({ Name: 'east-writes' }));
    await someCalls();
    await server.trails?.flush();

    const records = await deliveredRecords(s3, bucket, `AWSLogs/${account}/CloudTrail/`);
    assert.ok(records.length >= 2);
    for (const record of records) {
      assert.equal(record.awsRegion, EAST);
      assert.equal(record.readOnly, false);
    }
    assert.ok(records.some((record) => record.eventName === 'PutAccountSettingDefault'));
  });

  it('shows LatestDeliveryError while the bucket refuses, then delivers what waited', async () => {
    const bucket = 'delivery-refused';
    await createTrailBucket(target(WEST), { bucket, accountId: account });
    await trails.send(new CreateTrailCommand({ Name: 'refused', S3BucketName: bucket }));
    await trails.send(new StartLoggingCommand({ Name: 'refused' }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await someCalls();
    await server.trails?.flush();

    const failing = await trails.send(new GetTrailStatusCommand({ Name: 'refused' }));
    assert.equal(failing.LatestDeliveryError, 'AccessDenied');
    assert.ok(failing.LatestDeliveryAttemptTime);
    assert.equal((await readDelivered(s3, bucket, 'AWSLogs/')).length, 0);

    const policy = cloudTrailBucketPolicy({ bucket, accountId: account, partition: 'aws-us-gov' });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    await server.trails?.flush();

    const healed = await trails.send(new GetTrailStatusCommand({ Name: 'refused' }));
    assert.equal(healed.LatestDeliveryError, undefined);
    assert.ok(healed.LatestDeliveryTime instanceof Date);
    const records = await deliveredRecords(s3, bucket, 'AWSLogs/');
    const ids = records.map((record) => record.eventID);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(records.some((record) => record.eventName === 'PutAccountSettingDefault'));
  });

  it('chains digests that name the delivered log files and their hashes', async () => {
    const bucket = 'delivery-digests';
    await createTrailBucket(target(WEST), { bucket, accountId: account });
    await trails.send(
      new CreateTrailCommand({
        Name: 'signed',
        S3BucketName: bucket,
        EnableLogFileValidation: true,
      }),
    );
    await trails.send(new StartLoggingCommand({ Name: 'signed' }));
    for (let round = 0; round < 2; round += 1) {
      await someCalls();
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the 1 s digest interval
      await server.trails?.flush();
    }
    // One more digest interval, so the last round's log files are in a digest too.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await server.trails?.flush();

    const prefix = `AWSLogs/${account}/CloudTrail-Digest/${WEST}/`;
    const digests = (await readDelivered(s3, bucket, prefix)).map(
      (file) => JSON.parse(file.text) as Record<string, unknown>,
    );
    // The 1 s digest timer may add digests of its own; every one of them chains.
    assert.ok(digests.length >= 2);
    const chain = digests.sort((a, b) =>
      String(a.digestEndTime).localeCompare(String(b.digestEndTime)),
    );
    assert.equal(chain[0]?.previousDigestSignature, null);
    for (let i = 1; i < chain.length; i += 1) {
      assert.equal(chain[i]?.previousDigestS3Object, chain[i - 1]?.digestS3Object);
      assert.equal(chain[i]?.digestStartTime, chain[i - 1]?.digestEndTime);
    }
    const logs = chain.flatMap((digest) => digest.logFiles as { s3Object: string }[]);
    const delivered = await readDelivered(s3, bucket, `AWSLogs/${account}/CloudTrail/`);
    assert.ok(delivered.length >= 2);
    assert.deepEqual(logs.map((log) => log.s3Object).sort(), delivered.map((f) => f.key).sort());

    const status = await trails.send(new GetTrailStatusCommand({ Name: 'signed' }));
    assert.ok(status.LatestDigestDeliveryTime instanceof Date);
  });

  it('records S3 object calls only for a trail whose data selector names them', async () => {
    const logs = 'delivery-data-logs';
    const watched = 'delivery-data-watched';
    const east = cloudTrailClient(target(EAST));
    const eastS3 = trailS3Client(target(EAST));
    await createTrailBucket(target(EAST), { bucket: logs, accountId: account });
    await createTrailBucket(target(EAST), {
      bucket: watched,
      accountId: account,
      withPolicy: false,
    });
    await east.send(new CreateTrailCommand({ Name: 'objects', S3BucketName: logs }));
    await east.send(
      new PutEventSelectorsCommand({
        TrailName: 'objects',
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: false,
            DataResources: [
              { Type: 'AWS::S3::Object', Values: [`arn:aws-us-gov:s3:::${watched}/in/`] },
            ],
          },
        ],
      }),
    );
    await east.send(new StartLoggingCommand({ Name: 'objects' }));

    await eastS3.send(new PutObjectCommand({ Bucket: watched, Key: 'in/a.txt', Body: 'a' }));
    await eastS3.send(new GetObjectCommand({ Bucket: watched, Key: 'in/a.txt' }));
    await eastS3.send(new PutObjectCommand({ Bucket: watched, Key: 'out/b.txt', Body: 'b' }));
    await server.trails?.flush();

    const records = await deliveredRecords(s3, logs, `AWSLogs/${account}/CloudTrail/`);
    assert.deepEqual(
      records.map((record) => [
        record.eventName,
        (record.requestParameters as { key?: string }).key,
      ]),
      [
        ['PutObject', 'in/a.txt'],
        ['GetObject', 'in/a.txt'],
      ],
    );
    const put = records[0];
    assert.equal(put?.eventCategory, 'Data');
    assert.equal(put?.managementEvent, false);
    assert.equal(put?.readOnly, false);
    assert.deepEqual(
      (put?.resources as { ARN: string }[]).map((r) => r.ARN),
      [`arn:aws-us-gov:s3:::${watched}/in/a.txt`, `arn:aws-us-gov:s3:::${watched}`],
    );

    // The event history never shows data events.
    const history = await east.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutObject' }],
      }),
    );
    assert.deepEqual(history.Events, []);
  });
});
