import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTrailCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  StartLoggingCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import {
  ListAccountSettingsCommand,
  PutAccountSettingDefaultCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { verifyDigestSignature } from '../../src/trails/digest.js';
import { cloudTrailClient, ecsClient, type ClientTarget } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { readDelivered } from '../support/trail-logs.js';

const EAST = 'us-gov-east-1';
const WEST = 'us-gov-west-1';

interface LogRecord {
  readonly eventID: string;
  readonly requestID: string;
  readonly eventName: string;
  readonly awsRegion: string;
}

interface DigestFile {
  readonly digestS3Bucket: string;
  readonly digestS3Object: string;
  readonly digestEndTime: string;
  readonly digestPublicKeyFingerprint: string;
  readonly previousDigestS3Object: string | null;
  readonly logFiles: { s3Object: string }[];
}

describe('trail delivery to an external S3-compatible server', () => {
  let moto: MotoServer;
  let external: S3Client;
  let server: TestServer;
  let account: string;
  let target: (region: string) => ClientTarget;
  let trails: CloudTrailClient;
  let ecs: Record<string, ECSClient>;

  before(async () => {
    moto = await startMoto();
    external = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // Deliveries run when the test flushes; the 1 s digest timer only adds rounds.
    server = await startTestServer({
      trailS3: {
        endpoint: moto.endpoint,
        region: 'us-east-1',
        accessKeyId: 'test',
        secretAccessKey: 'test',
      },
      trailDeliveryInterval: 3600,
      digestInterval: 1,
    });
    account = server.root.accountId;
    target = (region) => ({ endpoint: server.url, credentials: server.root, region });
    trails = cloudTrailClient(target(WEST));
    ecs = { [EAST]: ecsClient(target(EAST)), [WEST]: ecsClient(target(WEST)) };
  });

  after(async () => {
    await server?.stop();
    await moto?.stop();
  });

  async function records(bucket: string): Promise<LogRecord[]> {
    const files = await readDelivered(external, bucket, `AWSLogs/${account}/CloudTrail/`);
    return files.flatMap((file) => (JSON.parse(file.text) as { Records: LogRecord[] }).Records);
  }

  /** Calls in both regions; answers their request ids with their regions. */
  async function someCalls(): Promise<{ id: string; region: string }[]> {
    const ids: { id: string; region: string }[] = [];
    for (const region of [EAST, WEST]) {
      const client = ecs[region];
      assert.ok(client);
      const listed = await client.send(new ListAccountSettingsCommand({}));
      const put = await client.send(
        new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
      );
      for (const out of [listed, put]) ids.push({ id: out.$metadata.requestId ?? '', region });
    }
    return ids;
  }

  /** The ids of events the store recorded for the account from request `first` on. */
  async function recordedFrom(firstRequestId: string): Promise<string[]> {
    const rows = await server.db
      .selectFrom('events')
      .select(['seq', 'event_id', 'record'])
      .where('account_id', '=', account)
      .orderBy('seq')
      .execute();
    const start = rows.findIndex(
      (row) => (JSON.parse(row.record) as LogRecord).requestID === firstRequestId,
    );
    assert.ok(start >= 0, `no event for request ${firstRequestId}`);
    return rows.slice(start).map((row) => row.event_id);
  }

  it('delivers exactly the calls made, and signed digests that verify, into the external bucket', async () => {
    const bucket = 'fedgate-external-trail';
    await external.send(new CreateBucketCommand({ Bucket: bucket }));
    await trails.send(
      new CreateTrailCommand({
        Name: 'external',
        S3BucketName: bucket,
        IsMultiRegionTrail: true,
        EnableLogFileValidation: true,
      }),
    );
    const started = await trails.send(new StartLoggingCommand({ Name: 'external' }));
    const startId = started.$metadata.requestId ?? '';
    const calls = [startId, ...(await someCalls()).map((call) => call.id)];
    const expectedEvents = await recordedFrom(startId);
    await server.trails.flush();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s digest interval
    await server.trails.flush();

    const logs = await readDelivered(external, bucket, `AWSLogs/${account}/CloudTrail/`);
    const keyShape = new RegExp(
      `^AWSLogs/${account}/CloudTrail/(${EAST}|${WEST})/\\d{4}/\\d\\d/\\d\\d/` +
        `${account}_CloudTrail_\\1_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
    );
    for (const log of logs) assert.match(log.key, keyShape);
    const delivered = await records(bucket);
    const eventIds = delivered.map((record) => record.eventID);
    assert.equal(new Set(eventIds).size, eventIds.length, 'no record twice');
    assert.deepEqual([...eventIds].sort(), [...expectedEvents].sort());
    assert.deepEqual(delivered.map((record) => record.requestID).sort(), [...calls].sort());
    for (const log of logs) {
      const regions = (JSON.parse(log.text) as { Records: LogRecord[] }).Records;
      for (const record of regions) assert.ok(log.key.includes(`/${record.awsRegion}/`));
    }

    const digested: string[] = [];
    for (const region of [EAST, WEST]) {
      const prefix = `AWSLogs/${account}/CloudTrail-Digest/${region}/`;
      const digests = await readDelivered(external, bucket, prefix);
      assert.ok(digests.length >= 1, `a digest for ${region}`);
      const listed = await cloudTrailClient(target(region)).send(new ListPublicKeysCommand({}));
      const keys = new Map(
        (listed.PublicKeyList ?? []).map((key) => [key.Fingerprint, Buffer.from(key.Value ?? [])]),
      );
      const digestKey = new RegExp(
        `^${prefix}\\d{4}/\\d\\d/\\d\\d/${account}_CloudTrail-Digest_${region}_external_${WEST}_` +
          `\\d{8}T\\d{6}Z\\.json\\.gz$`,
      );
      const chain: DigestFile[] = [];
      for (const digest of digests) {
        assert.match(digest.key, digestKey);
        const document = JSON.parse(digest.text) as DigestFile;
        assert.equal(document.digestS3Bucket, bucket);
        assert.equal(document.digestS3Object, digest.key);
        assert.equal(digest.metadata['signature-algorithm'], 'SHA256withRSA');
        const publicKey = keys.get(document.digestPublicKeyFingerprint);
        assert.ok(publicKey, `ListPublicKeys in ${region} has the digest's key`);
        const signature = digest.metadata.signature ?? '';
        assert.ok(verifyDigestSignature(digest.bytes, signature, publicKey), digest.key);
        chain.push(document);
        digested.push(...document.logFiles.map((file) => file.s3Object));
      }
      chain.sort((a, b) => a.digestEndTime.localeCompare(b.digestEndTime));
      assert.equal(chain[0]?.previousDigestS3Object, null);
      for (let i = 1; i < chain.length; i += 1) {
        assert.equal(chain[i]?.previousDigestS3Object, chain[i - 1]?.digestS3Object);
      }
    }
    assert.deepEqual(digested.sort(), logs.map((log) => log.key).sort());

    const status = await trails.send(new GetTrailStatusCommand({ Name: 'external' }));
    assert.equal(status.LatestDeliveryError, undefined);
    assert.equal(status.LatestDigestDeliveryError, undefined);
  });

  it('shows LatestDeliveryError while the external bucket is missing, then delivers what waited', async () => {
    const bucket = 'fedgate-created-later';
    await trails.send(new CreateTrailCommand({ Name: 'later', S3BucketName: bucket }));
    const started = await trails.send(new StartLoggingCommand({ Name: 'later' }));
    const startId = started.$metadata.requestId ?? '';
    const before = await someCalls();
    await server.trails.flush();

    const failing = await trails.send(new GetTrailStatusCommand({ Name: 'later' }));
    assert.equal(failing.LatestDeliveryError, 'NoSuchBucket');
    assert.ok(failing.LatestDeliveryAttemptTime, 'an attempt time');
    assert.equal(failing.LatestDeliveryTime, undefined);

    const meanwhile = await someCalls(); // planned behind the failed write
    await server.trails.flush();
    const expectedEvents = await recordedFrom(startId);
    await external.send(new CreateBucketCommand({ Bucket: bucket }));
    await server.trails.flush();

    const healed = await trails.send(new GetTrailStatusCommand({ Name: 'later' }));
    assert.equal(healed.LatestDeliveryError, undefined);
    assert.ok(healed.LatestDeliveryTime instanceof Date);
    const delivered = await records(bucket);
    const eventIds = delivered.map((record) => record.eventID);
    assert.equal(new Set(eventIds).size, eventIds.length, 'no record twice');
    // A single-region trail in us-gov-west-1: its home region's records, every one of them.
    const westEvents = await server.db
      .selectFrom('events')
      .select('event_id')
      .where('event_id', 'in', expectedEvents)
      .where('region', '=', WEST)
      .execute();
    assert.deepEqual([...eventIds].sort(), westEvents.map((row) => row.event_id).sort());
    const requestIds = new Set(delivered.map((record) => record.requestID));
    assert.ok(requestIds.has(startId));
    for (const call of [...before, ...meanwhile]) {
      assert.equal(requestIds.has(call.id), call.region === WEST, `${call.id} in ${call.region}`);
    }
  });
});
