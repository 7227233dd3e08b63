import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {
  CreateTrailCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { ListAccountSettingsCommand, PutAccountSettingDefaultCommand } from '@aws-sdk/client-ecs';
import { awsCliV1 } from '../support/aws-cli-v1.js';
import { cloudTrailClient, ecsClient, type ClientTarget } from '../support/clients.js';
import {
  fixedRoot,
  freePort,
  spawnFedgateServe,
  type FedgateProcess,
} from '../support/fedgate-process.js';
import { createTrailBucket, trailS3Client } from '../support/trail-bucket.js';
import { readDelivered, type DeliveredObject } from '../support/trail-logs.js';

const EAST = 'us-gov-east-1';
const WEST = 'us-gov-west-1';
const BUCKET = 'crash-trail-logs';
const TRAIL = 'crash';
/** Calls acknowledged before the load stops (it also runs until the kills are done). */
const CALLS = 3000;
const WORKERS = 8;
const MIN_KILLS = 4;
const MAX_KILLS = 10;
/** The kills' moments come from this seed, so a failing run can be told apart from another. */
const SEED = 0x7a11c0de;
/** Deliver and digest every second, so kills land while delivery is busy. */
const ENV = { FEDGATE_TRAIL_DELIVERY_INTERVAL: '1', FEDGATE_DIGEST_INTERVAL: '1' };

interface LogRecord {
  readonly eventID: string;
  readonly requestID: string;
  readonly awsRegion: string;
}

interface DigestFile {
  readonly digestS3Object: string;
  readonly digestStartTime: string;
  readonly digestEndTime: string;
  readonly previousDigestS3Object: string | null;
  readonly previousDigestHashValue: string | null;
  readonly logFiles: { s3Object: string; hashValue: string }[];
}

/** Mulberry32: a small seeded PRNG, answers floats in [0, 1). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('trail delivery across SIGKILLs', () => {
  const root = fixedRoot();
  const credentials = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };
  const random = prng(SEED);
  let dataDir: string;
  let port: number;
  let url: string;
  let server: FedgateProcess | undefined;
  /** A read-only connection to the server's store, kept open across kills. */
  let store: BetterSqlite3.Database;
  let trailArn: string;
  let startTime: string;
  /** Acknowledged calls' request ids. */
  const acknowledged = new Set<string>();
  /** Per kill: objects the killed server had planned and not written. */
  const leftPlanned: number[] = [];
  let logs: DeliveredObject[];
  let digests: DeliveredObject[];

  const target = (region: string): ClientTarget => ({ endpoint: url, credentials, region });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fedgate-trail-crash-'));
    port = await freePort();
    server = await spawnFedgateServe(dataDir, root, { port, env: ENV });
    url = server.url;
    store = new BetterSqlite3(join(dataDir, 'fedgate.db'), { readonly: true, fileMustExist: true });
    startTime = new Date(Date.now() - 60_000).toISOString();

    await createTrailBucket(target(WEST), { bucket: BUCKET, accountId: root.accountId });
    const trails = cloudTrailClient(target(WEST));
    const created = await trails.send(
      new CreateTrailCommand({
        Name: TRAIL,
        S3BucketName: BUCKET,
        IsMultiRegionTrail: true,
        EnableLogFileValidation: true,
      }),
    );
    trailArn = created.TrailARN ?? '';
    await trails.send(new StartLoggingCommand({ Name: TRAIL }));

    let loading = true;
    const load = Array.from({ length: WORKERS }, (_, worker) => callUntil(worker, () => !loading));
    try {
      // At least MIN_KILLS, and until one of them left planned objects unwritten.
      while (leftPlanned.length < MIN_KILLS || (!leftPlanned.some((n) => n > 0) && more())) {
        await sleep(300 + random() * 1200);
        await untilPlanned(3000);
        await sleep(random() * 40); // somewhere in the writes of what was planned
        await killAndRestart();
      }
      for (let waited = 0; acknowledged.size < CALLS; waited += 1) {
        if (waited > 6000) throw new Error(`only ${acknowledged.size} calls acknowledged`);
        await sleep(100);
      }
    } finally {
      loading = false;
      await Promise.all(load);
    }

    await trails.send(new StopLoggingCommand({ Name: TRAIL }));
    await untilCaughtUp();
    const s3 = trailS3Client(target(WEST));
    logs = await readDelivered(s3, BUCKET, `AWSLogs/${root.accountId}/CloudTrail/`);
    digests = await readDelivered(s3, BUCKET, `AWSLogs/${root.accountId}/CloudTrail-Digest/`);
  });

  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function more(): boolean {
    return leftPlanned.length < MAX_KILLS;
  }

  /** One worker's calls, alternating regions and operations, until `done`; failures retry. */
  async function callUntil(worker: number, done: () => boolean): Promise<void> {
    const clients = [ecsClient(target(EAST)), ecsClient(target(WEST))];
    for (let i = worker; !done(); i += 1) {
      const ecs = clients[i % 2];
      assert.ok(ecs);
      try {
        const out =
          i % 4 < 2
            ? await ecs.send(new ListAccountSettingsCommand({}))
            : await ecs.send(
                new PutAccountSettingDefaultCommand({
                  name: 'fargateFIPSMode',
                  value: i % 8 < 4 ? 'enabled' : 'disabled',
                }),
              );
        if (out.$metadata.requestId) acknowledged.add(out.$metadata.requestId);
      } catch {
        await sleep(20); // killed or restarting: the call was not acknowledged
      }
    }
  }

  function planned(): number {
    const row = store.prepare('SELECT count(*) AS n FROM trail_outbox').get() as { n: number };
    return row.n;
  }

  /** Waits until the server has planned objects it has not written yet, or `ms` passed. */
  async function untilPlanned(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (planned() === 0 && Date.now() < deadline) await sleep(1);
  }

  async function killAndRestart(): Promise<void> {
    assert.ok(server);
    server.child.kill('SIGKILL');
    await server.exited;
    leftPlanned.push(planned());
    server = undefined;
    server = await spawnFedgateServe(dataDir, root, { port, env: ENV });
  }

  /** Waits until every record of the logging span, its log files and their digests are written. */
  async function untilCaughtUp(): Promise<void> {
    for (let attempt = 0; attempt < 1200; attempt += 1) {
      const trail = store
        .prepare('SELECT delivered_seq AS delivered FROM trails WHERE trail_arn = ?')
        .get(trailArn) as { delivered: number };
      const span = store
        .prepare('SELECT through_seq AS through FROM trail_logging_spans WHERE trail_arn = ?')
        .get(trailArn) as { through: number | null };
      const undigested = store
        .prepare('SELECT count(*) AS n FROM trail_log_files WHERE trail_arn = ?')
        .get(trailArn) as { n: number };
      const done =
        span.through !== null &&
        trail.delivered >= span.through &&
        planned() === 0 &&
        undigested.n === 0;
      if (done) return;
      await sleep(100);
    }
    throw new Error('delivery did not catch up within 120 s');
  }

  /** The ids of the events the trail logged: the account's, from StartLogging to StopLogging. */
  function loggedEventIds(): string[] {
    const rows = store
      .prepare(
        `SELECT e.event_id AS id FROM events e JOIN trail_logging_spans s
           ON s.trail_arn = ? AND e.seq > s.after_seq AND e.seq <= s.through_seq
         WHERE e.account_id = ? AND e.region IN (?, ?)`,
      )
      .all(trailArn, root.accountId, EAST, WEST) as { id: string }[];
    return rows.map((row) => row.id);
  }

  function recordsOf(file: DeliveredObject): LogRecord[] {
    return (JSON.parse(file.text) as { Records: LogRecord[] }).Records;
  }

  it('every record is delivered exactly once across SIGKILLs during delivery', (t) => {
    t.diagnostic(
      `seed ${SEED}: ${leftPlanned.length} kills, leaving ${leftPlanned.join(', ')} objects ` +
        `planned and unwritten; ${acknowledged.size} calls acknowledged; ` +
        `${logs.length} log files, ${digests.length} digests`,
    );
    assert.ok(leftPlanned.length >= MIN_KILLS);
    assert.ok(
      leftPlanned.some((n) => n > 0),
      `no kill left a planned object unwritten: ${leftPlanned.join(', ')}`,
    );
    assert.ok(acknowledged.size >= CALLS);

    const records = logs.flatMap((file) => {
      const inFile = recordsOf(file);
      for (const record of inFile) assert.ok(file.key.includes(`/${record.awsRegion}/`));
      return inFile;
    });
    const byEvent = new Map<string, number>();
    const byRequest = new Map<string, number>();
    for (const record of records) {
      byEvent.set(record.eventID, (byEvent.get(record.eventID) ?? 0) + 1);
      byRequest.set(record.requestID, (byRequest.get(record.requestID) ?? 0) + 1);
    }
    const twice = [...byEvent].filter(([, count]) => count > 1).map(([id]) => id);
    assert.deepEqual(twice.slice(0, 10), [], `${twice.length} records delivered more than once`);

    const notOnce = [...acknowledged].filter((id) => byRequest.get(id) !== 1);
    assert.deepEqual(
      notOnce.slice(0, 10),
      [],
      `${notOnce.length} acknowledged calls not delivered exactly once`,
    );

    const logged = loggedEventIds();
    assert.ok(logged.length >= CALLS);
    assert.deepEqual([...byEvent.keys()].sort(), logged.sort(), 'exactly the logged records');
  });

  it('lists every delivered log file in exactly one digest, and each region chains its digests', () => {
    const hashes = new Map(
      logs.map((file) => [file.key, createHash('sha256').update(file.text).digest('hex')]),
    );
    const listed = new Map<string, number>();
    for (const region of [EAST, WEST]) {
      const chain = digests
        .filter((file) => file.key.includes(`/CloudTrail-Digest/${region}/`))
        .map((file) => ({ file, digest: JSON.parse(file.text) as DigestFile }))
        .sort((a, b) => a.digest.digestEndTime.localeCompare(b.digest.digestEndTime));
      assert.ok(chain.length >= 2, `digests for ${region}`);
      assert.equal(chain[0]?.digest.previousDigestS3Object, null);
      for (let i = 1; i < chain.length; i += 1) {
        const previous = chain[i - 1];
        const digest = chain[i]?.digest;
        assert.ok(previous && digest);
        assert.equal(digest.previousDigestS3Object, previous.digest.digestS3Object);
        assert.equal(digest.digestStartTime, previous.digest.digestEndTime);
        const previousHash = createHash('sha256').update(previous.file.text).digest('hex');
        assert.equal(digest.previousDigestHashValue, previousHash);
      }
      for (const { digest } of chain) {
        for (const log of digest.logFiles) {
          assert.ok(log.s3Object.includes(`/CloudTrail/${region}/`), log.s3Object);
          assert.equal(log.hashValue, hashes.get(log.s3Object), `hash of ${log.s3Object}`);
          listed.set(log.s3Object, (listed.get(log.s3Object) ?? 0) + 1);
        }
      }
    }
    assert.ok(logs.length > 0);
    const notOnce = logs.map((file) => file.key).filter((key) => listed.get(key) !== 1);
    assert.deepEqual(notOnce, [], 'log files not in exactly one digest');
    assert.equal(listed.size, logs.length, 'digests list only delivered log files');
  });

  it('aws cloudtrail validate-logs finds every digest and log file valid in each region', async () => {
    for (const region of [WEST, EAST]) {
      const result = await awsCliV1(url, credentials, region, [
        'cloudtrail',
        'validate-logs',
        '--trail-arn',
        trailArn,
        '--start-time',
        startTime,
        '--region',
        region,
      ]);
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.doesNotMatch(result.stdout + result.stderr, /INVALID/);
    }
  });
});
