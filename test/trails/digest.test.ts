import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { SecretBox } from '../../src/auth/secret-box.js';
import { openSqliteStore } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import {
  buildDigest,
  digestObjectKey,
  verifyDigestSignature,
  type Digest,
  type DigestInput,
} from '../../src/trails/digest.js';
import { buildLogFile, logFileUniqueId, logObjectKey } from '../../src/trails/log-file.js';
import {
  currentSigningKey,
  listPublicKeys,
  type SigningKey,
} from '../../src/trails/signing-keys.js';

const ACCOUNT = '123456789012';
const REGION = 'us-gov-west-1';
const BUCKET = 'audit-bucket';
const START = new Date('2026-03-04T05:06:07.890Z');
const END = new Date('2026-03-04T06:06:07.123Z');

/** Pythons that may carry the AWS CLI v1 whose digest validator is the reference. */
const PYTHONS = ['python3', join(homedir(), '.pyenv', 'shims', 'python3')];

function findValidatorPython(): string {
  const module = 'awscli.customizations.cloudtrail.validation';
  for (const python of PYTHONS) {
    const probe = spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  throw new Error(
    `no python3 can import ${module}: pip install awscli (AWS CLI v1 >= 1.29) to cross-check digests`,
  );
}

/**
 * Reads each case's gzip'd digest as the CLI's digest provider does, then hands it to the
 * CLI's own validator; prints one verdict per case, and the date the CLI reads off the key.
 */
const VALIDATE = `
import json, sys, zlib, datetime
from awscli.customizations.cloudtrail import validation as v
verdicts = []
for case in json.load(sys.stdin):
    with open(case['file'], 'rb') as f:
        inflated = zlib.decompress(f.read(), zlib.MAX_WBITS | 16)
    data = json.loads(inflated.decode())
    data['_signature'] = case['signature']
    key_date = datetime.datetime.strptime(v.extract_digest_key_date(case['key']), v.DATE_FORMAT)
    try:
        v.Sha256RSADigestValidator().validate(case['bucket'], case['key'], case['publicKey'], data, inflated)
        verdict = 'valid'
    except v.DigestError as e:
        verdict = 'invalid: ' + str(e)
    verdicts.append({'verdict': verdict, 'keyDate': key_date.isoformat()})
print(json.dumps(verdicts))
`;

interface Case {
  name: string;
  key: string;
  json: Buffer;
  signature: string;
  publicDer: Buffer;
}

function validateWithAwsCli(dir: string, cases: Case[]): { verdict: string; keyDate: string }[] {
  const input = cases.map((c, i) => {
    const file = join(dir, `${i}.json.gz`);
    writeFileSync(file, gzipSync(c.json));
    const publicKey = c.publicDer.toString('base64');
    return { file, key: c.key, bucket: BUCKET, signature: c.signature, publicKey };
  });
  const out = execFileSync(findValidatorPython(), ['-c', VALIDATE], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { verdict: string; keyDate: string }[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function keyAt(end: Date): string {
  return digestObjectKey({
    prefix: 'org/audit',
    accountId: ACCOUNT,
    region: REGION,
    trailName: 'main-trail',
    homeRegion: 'us-gov-east-1',
    endTime: end,
  });
}

describe('log files', () => {
  it('names the object as CloudTrail does, dated by delivery in UTC', () => {
    const unique = logFileUniqueId();
    assert.match(unique, /^[A-Za-z0-9]{16}$/);
    assert.notEqual(logFileUniqueId(), unique);
    const deliveredAt = new Date('2026-12-31T23:59:59.999Z');
    assert.equal(
      logObjectKey({ prefix: 'p', accountId: ACCOUNT, region: REGION, deliveredAt, unique }),
      `p/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/12/31/${ACCOUNT}_CloudTrail_${REGION}_20261231T2359Z_${unique}.json.gz`,
    );
    assert.match(
      logObjectKey({ accountId: ACCOUNT, region: REGION, deliveredAt, unique }),
      /^AWSLogs\//,
    );
  });

  it('splices the stored records byte for byte and hashes the uncompressed file', () => {
    const records = ['{"b":1,  "a":"é\\u00e9"}', '{"eventTime":"2026-01-01T00:00:00Z"}'];
    const file = buildLogFile(records);
    assert.equal(file.json.toString('utf8'), `{"Records":[${records.join(',')}]}`);
    assert.deepEqual(gunzipSync(file.gzipped), file.json);
    assert.equal(file.sha256Hex, sha256(file.json));
    assert.equal((JSON.parse(file.json.toString()) as { Records: unknown[] }).Records.length, 2);
    assert.equal(buildLogFile([]).json.toString(), '{"Records":[]}');
    assert.throws(() => buildLogFile(['"not an object"']), TypeError);
  });
});

describe('digest files', () => {
  let db: Kysely<Database>;
  let dir: string;
  let key: SigningKey;
  let otherKey: SigningKey;
  const box = new SecretBox(randomBytes(32));

  before(async () => {
    db = await openSqliteStore(':memory:');
    dir = mkdtempSync(join(tmpdir(), 'fedgate-digest-'));
    key = await currentSigningKey(db, box, REGION, START);
    otherKey = await currentSigningKey(db, box, 'us-gov-east-1', START);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.destroy();
  });

  const firstInput = (): DigestInput => ({
    accountId: ACCOUNT,
    bucket: BUCKET,
    key: keyAt(END),
    start: START,
    end: END,
    signingKey: key,
    logFiles: [],
  });

  function secondDigest(first: Digest): { input: DigestInput; digest: Digest } {
    const log = buildLogFile(['{"eventVersion":"1.11"}']);
    const end = new Date(END.getTime() + 3600_000);
    const input: DigestInput = {
      ...firstInput(),
      key: keyAt(end),
      start: END,
      end,
      previous: { bucket: BUCKET, key: keyAt(END), ...first },
      logFiles: [
        {
          bucket: BUCKET,
          key: 'AWSLogs/a.json.gz',
          sha256Hex: log.sha256Hex,
          newestEventTime: new Date('2026-03-04T06:30:00.500Z'),
          oldestEventTime: new Date('2026-03-04T06:10:00Z'),
        },
        {
          bucket: BUCKET,
          key: 'AWSLogs/b.json.gz',
          sha256Hex: log.sha256Hex,
          newestEventTime: new Date('2026-03-04T06:50:00Z'),
          oldestEventTime: new Date('2026-03-04T06:20:00Z'),
        },
      ],
    };
    return { input, digest: buildDigest(input) };
  }

  it('names the object as CloudTrail does, its last 16 characters being the end time', () => {
    const name = keyAt(END);
    assert.equal(
      name,
      `org/audit/AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/2026/03/04/` +
        `${ACCOUNT}_CloudTrail-Digest_${REGION}_main-trail_us-gov-east-1_20260304T060607Z.json.gz`,
    );
    assert.equal(name.slice(-24, -8), '20260304T060607Z');
  });

  it('writes the first digest of a chain with null previous fields and no logs', () => {
    const digest = buildDigest(firstInput());
    const body = JSON.parse(gunzipSync(digest.gzipped).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(body, {
      awsAccountId: ACCOUNT,
      digestStartTime: '2026-03-04T05:06:07Z',
      digestEndTime: '2026-03-04T06:06:07Z',
      digestS3Bucket: BUCKET,
      digestS3Object: keyAt(END),
      digestPublicKeyFingerprint: key.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: null,
      oldestEventTime: null,
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [],
    });
    assert.equal(digest.sha256Hex, sha256(digest.json));
    assert.deepEqual(digest.metadata, {
      signature: digest.signature,
      'signature-algorithm': 'SHA256withRSA',
    });
    assert.match(digest.signature, /^[0-9a-f]{512}$/);
  });

  it('chains to the previous digest and spans its log files’ event times', () => {
    const first = buildDigest(firstInput());
    const { digest } = secondDigest(first);
    const body = JSON.parse(digest.json.toString('utf8')) as Record<string, unknown>;
    assert.equal(body.previousDigestHashValue, sha256(first.json));
    assert.equal(body.previousDigestSignature, first.signature);
    assert.equal(body.previousDigestHashAlgorithm, 'SHA-256');
    assert.equal(body.previousDigestS3Object, keyAt(END));
    assert.equal(body.newestEventTime, '2026-03-04T06:50:00Z');
    assert.equal(body.oldestEventTime, '2026-03-04T06:10:00Z');
    assert.deepEqual((body.logFiles as unknown[])[0], {
      s3Bucket: BUCKET,
      s3Object: 'AWSLogs/a.json.gz',
      hashValue: buildLogFile(['{"eventVersion":"1.11"}']).sha256Hex,
      hashAlgorithm: 'SHA-256',
      newestEventTime: '2026-03-04T06:30:00Z',
      oldestEventTime: '2026-03-04T06:10:00Z',
    });
  });

  it('verifies its own signatures and rejects altered ones', () => {
    const first = buildDigest(firstInput());
    assert.ok(verifyDigestSignature(first.json, first.signature, key.publicDer));
    assert.equal(verifyDigestSignature(first.json, first.signature, otherKey.publicDer), false);
    const altered = Buffer.from(first.json);
    altered[altered.indexOf('2026')] = '3'.charCodeAt(0);
    assert.equal(verifyDigestSignature(altered, first.signature, key.publicDer), false);
  });

  it('passes the AWS CLI’s own validator, which rejects every tampering', async () => {
    const first = buildDigest(firstInput());
    const { input, digest: second } = secondDigest(first);
    const [listed] = await listPublicKeys(db, REGION, START, END);
    assert.ok(listed);
    const publicDer = Buffer.from(listed.value, 'base64');

    const flipped = Buffer.from(second.json);
    const at = flipped.indexOf(input.logFiles[0]?.sha256Hex ?? '');
    flipped[at] = flipped[at] === 0x30 ? 0x31 : 0x30;
    const wrongPrevious = Buffer.from(
      second.json.toString('utf8').replace(first.signature, first.signature.replace(/^./, 'f')),
    );
    assert.notDeepEqual(wrongPrevious, second.json);
    const wrongMetadata = second.signature.replace(/..$/, (b) => (b === '00' ? '01' : '00'));

    const cases: Case[] = [
      { name: 'first', key: keyAt(END), json: first.json, signature: first.signature, publicDer },
      { name: 'second', key: input.key, json: second.json, signature: second.signature, publicDer },
      {
        name: 'flipped byte',
        key: input.key,
        json: flipped,
        signature: second.signature,
        publicDer,
      },
      {
        name: 'wrong previous signature',
        key: input.key,
        json: wrongPrevious,
        signature: second.signature,
        publicDer,
      },
      {
        name: 'wrong signature',
        key: input.key,
        json: second.json,
        signature: wrongMetadata,
        publicDer,
      },
      {
        name: 'another region’s key',
        key: input.key,
        json: second.json,
        signature: second.signature,
        publicDer: otherKey.publicDer,
      },
    ];
    const verdicts = validateWithAwsCli(dir, cases);
    const byName = Object.fromEntries(cases.map((c, i) => [c.name, verdicts[i]?.verdict]));
    assert.equal(byName.first, 'valid');
    assert.equal(byName.second, 'valid');
    for (const name of cases.slice(2).map((c) => c.name))
      assert.match(byName[name] ?? '', /^invalid: /, name);
    assert.equal(verdicts[0]?.keyDate, '2026-03-04T06:06:07');
    assert.equal(verdicts[1]?.keyDate, '2026-03-04T07:06:07');
  });
});
