import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListAccountSettingsCommand } from '@aws-sdk/client-ecs';
import { ecsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { generator } from '../support/random.js';
import { signedFetch } from '../support/signed-fetch.js';

const REGION = 'us-gov-west-1';
const ROUNDS = 300;

const VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  '',
  'enabled',
  'x'.repeat(3000),
  '\u0000',
  '🙂',
  [],
  {},
  [1, 'a'],
  { a: { b: [] } },
];
const KEYS = [
  'name',
  'value',
  'principalArn',
  'effectiveSettings',
  'maxResults',
  'nextToken',
  'LookupAttributes',
  'StartTime',
  'MaxResults',
  'NextToken',
  'EventCategory',
  '__proto__',
  'constructor',
];
const TARGETS = [
  ['ecs', 'AmazonEC2ContainerServiceV20141113.PutAccountSetting'],
  ['ecs', 'AmazonEC2ContainerServiceV20141113.ListAccountSettings'],
  ['ecs', 'AmazonEC2ContainerServiceV20141113.DeleteAccountSetting'],
  ['cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents'],
] as const;

function randomBody(random: ReturnType<typeof generator>): string {
  const body: Record<string, unknown> = {};
  const members = Math.floor(random.next() * 5);
  for (let i = 0; i < members; i += 1) body[random.pick(KEYS)] = random.pick(VALUES);
  const text = JSON.stringify(body);
  if (random.next() < 0.2) return text.slice(0, Math.floor(random.next() * text.length));
  return text;
}

describe('fuzzed request bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it(`answers ${ROUNDS} random bodies with AWS error shapes or success, never a 5xx`, async () => {
    const random = generator(20261203);
    for (let round = 0; round < ROUNDS; round += 1) {
      const [service, target] = random.pick(TARGETS);
      const body = randomBody(random);
      const answer = await signedFetch(server.url, server.root, {
        service,
        region: REGION,
        target,
        body,
      });
      assert.ok(
        answer.status < 500,
        `round ${round}: ${answer.status} for ${target} ${body.slice(0, 200)}`,
      );
      if (answer.status !== 200) {
        assert.equal(
          typeof answer.json?.__type,
          'string',
          `round ${round}: ${answer.text.slice(0, 200)}`,
        );
        assert.equal(typeof answer.json?.message, 'string');
      }
    }
    const out = await ecsClient({
      endpoint: server.url,
      credentials: server.root,
      region: REGION,
    }).send(new ListAccountSettingsCommand({}));
    assert.ok(Array.isArray(out.settings));
  });
});
