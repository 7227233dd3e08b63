import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { loadServiceModel } from '../../src/model/service-model.js';
import { cloudTrailClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { generator } from '../support/random.js';
import { signedFetch } from '../support/signed-fetch.js';
import { createTrailBucket } from '../support/trail-bucket.js';

const REGION = 'us-gov-west-1';
const ROUNDS = 400;
const PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';
const OPERATIONS = [
  'CreateTrail',
  'UpdateTrail',
  'DeleteTrail',
  'GetTrail',
  'DescribeTrails',
  'ListTrails',
  'GetTrailStatus',
  'StartLogging',
  'StopLogging',
  'PutEventSelectors',
  'GetEventSelectors',
  'ListPublicKeys',
  'AddTags',
  'RemoveTags',
  'ListTags',
];

const NAMES = ['fuzzed', 'a', 'x'.repeat(129), '1.2.3.4', 'a--b', 'ok-trail', '', '🙂'];
const VALUES: readonly unknown[] = [
  null,
  true,
  -1,
  1e20,
  '',
  'fuzz-logs',
  `arn:aws-us-gov:cloudtrail:${REGION}:000000000000:trail/fuzzed`,
  'arn:aws:cloudtrail:nowhere',
  'x'.repeat(5000),
  [],
  [{}],
  [{ Key: 'k', Value: 'v' }],
  [{ ReadWriteType: 'Sideways' }],
  [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }],
  [{ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws-us-gov:s3:::fuzz-logs/'] }] }],
  { nested: { deeper: [] } },
];
const MEMBERS = [
  'Name',
  'TrailName',
  'S3BucketName',
  'S3KeyPrefix',
  'IsMultiRegionTrail',
  'IncludeGlobalServiceEvents',
  'EnableLogFileValidation',
  'EventSelectors',
  'AdvancedEventSelectors',
  'ResourceId',
  'ResourceIdList',
  'TagsList',
  'trailNameList',
  'includeShadowTrails',
  'StartTime',
  'EndTime',
  'NextToken',
  '__proto__',
];

function randomBody(random: ReturnType<typeof generator>): string {
  const body: Record<string, unknown> = {};
  if (random.next() < 0.6) body.Name = random.pick(NAMES);
  const members = Math.floor(random.next() * 5);
  for (let i = 0; i < members; i += 1) body[random.pick(MEMBERS)] = random.pick(VALUES);
  const text = JSON.stringify(body);
  if (random.next() < 0.1) return text.slice(0, Math.floor(random.next() * text.length));
  return text;
}

describe('fuzzed trail requests', () => {
  let server: TestServer;
  const model = loadServiceModel('cloudtrail');
  const generic = new Set([
    'InvalidParameterException',
    'SerializationException',
    'ThrottlingException',
    'UnknownOperationException',
  ]);

  before(async () => {
    server = await startTestServer();
    const target = { endpoint: server.url, credentials: server.root, region: REGION };
    await createTrailBucket(target, { bucket: 'fuzz-logs', accountId: server.root.accountId });
    await cloudTrailClient(target).send(
      new CreateTrailCommand({ Name: 'fuzzed', S3BucketName: 'fuzz-logs' }),
    );
  });
  after(() => server.stop());

  it(`answers ${ROUNDS} random trail calls with an error the operation declares, or success`, async () => {
    const random = generator(20261204);
    const codes = new Set<string>();
    let successes = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const operation = random.pick(OPERATIONS);
      const body = randomBody(random);
      const answer = await signedFetch(server.url, server.root, {
        service: 'cloudtrail',
        region: REGION,
        target: `${PREFIX}.${operation}`,
        body,
      });
      const where = `round ${round}: ${operation} ${body.slice(0, 160)} → ${answer.text.slice(0, 200)}`;
      assert.ok(answer.status < 500, where);
      if (answer.status === 200) {
        successes += 1;
        continue;
      }

      const code = String(answer.json?.__type);
      codes.add(code);
      const declared = (model.operations[operation]?.errors ?? []).map((error) => error.shape);
      assert.ok(declared.includes(code) || generic.has(code), where);
      assert.equal(typeof answer.json?.message, 'string', where);
    }

    // The rounds reached both the operations and their checks, not just the parser.
    assert.ok(successes > 0 && codes.size >= 4, `${successes} successes, codes: ${[...codes]}`);

    // Still serving, and the store still reads.
    const out = await cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: REGION,
    }).send(new DescribeTrailsCommand({}));
    assert.ok(Array.isArray(out.trailList));
  });
});
