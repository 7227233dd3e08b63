import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tlsFiles } from '../../src/tls/certificates.js';
import { awsCliByHostName, requireAwsCli } from '../support/aws-cli.js';
import { editHostsFile, type EditedHosts } from '../support/etc-hosts.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestUser, fedgateCli } from '../support/fedgate-cli.js';

const REGION = 'us-gov-east-1';
const HTTPS_PORT = 443;

/** AWS's sample event of Fargate FIPS-140 mode, as its documentation shows it. */
const AWS_SAMPLE_EVENT = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAIV5AJI5LXF5EXAMPLE',
    arn: 'arn:aws:iam::123456789012:user/jdoe',
    accountId: '123456789012',
    accessKeyId: 'AKIAIPWIOFC3EXAMPLE',
  },
  eventTime: '2023-03-01T21:45:18Z',
  eventSource: 'ecs.amazonaws.com',
  eventName: 'PutAccountSettingDefault',
  awsRegion: 'us-gov-east-1',
  sourceIPAddress: '52.94.133.131',
  userAgent:
    'aws-cli/2.9.8 Python/3.9.11 Windows/10 exe/AMD64 prompt/off command/ecs.put-account-setting',
  requestParameters: { name: 'fargateFIPSMode', value: 'enabled' },
  responseElements: {
    setting: {
      name: 'fargateFIPSMode',
      value: 'enabled',
      principalArn: 'arn:aws:iam::123456789012:user/jdoe',
    },
  },
  requestID: 'acdc731e-e506-447c-965d-f5f75EXAMPLE',
  eventID: '6afced68-75cd-4d44-8076-0beEXAMPLE',
  readOnly: false,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '123456789012',
  eventCategory: 'Management',
  tlsDetails: {
    tlsVersion: 'TLSv1.2',
    cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
    clientProvidedHostHeader: 'ecs-fips.us-gov-east-1.amazonaws.com',
  },
} as const;

type TestUser = Awaited<ReturnType<typeof createTestUser>>;

const notRoot =
  process.getuid?.() !== 0 && 'needs root: it edits /etc/hosts and listens on port 443';

/** fedgate's HTTPS on port 443, or an error saying what keeps it from listening there. */
async function startOn443(dataDir: string): Promise<TestServer> {
  try {
    return await startTestServer({
      tls: true,
      tlsPort: HTTPS_PORT,
      tlsMaxVersion: 'TLSv1.2',
      dataDir,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
    throw new Error(
      `cannot listen on 127.0.0.1:${HTTPS_PORT} (${code}): host names mode needs the HTTPS ` +
        `port; stop what listens there (ss -ltnp 'sport = :${HTTPS_PORT}') and run again`,
      { cause: err },
    );
  }
}

describe(
  'host names mode: the AWS CLI reaches fedgate with no --endpoint-url',
  { skip: notRoot },
  () => {
    let dataDir: string;
    let server: TestServer | undefined;
    let hosts: EditedHosts | undefined;
    let user: TestUser;
    let cliEnv: Record<string, string>;

    before(async () => {
      requireAwsCli();
      dataDir = mkdtempSync(join(tmpdir(), 'fedgate-host-names-'));
      server = await startOn443(dataDir);
      const { stdout } = await fedgateCli(['hosts', '--address', '127.0.0.1']);
      hosts = editHostsFile(stdout);
      user = await createTestUser(dataDir, 'jdoe');
      cliEnv = { AWS_USE_FIPS_ENDPOINT: 'true', AWS_CA_BUNDLE: tlsFiles(dataDir).ca };
    });
    after(async () => {
      // /etc/hosts first: whatever else fails, it must not stay edited.
      hosts?.restore();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const asUser = () => ({ accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey });
    const aws = (args: string[]) => awsCliByHostName(asUser(), REGION, args, cliEnv);

    it('sends the AWS host names to fedgate through /etc/hosts', async () => {
      const { stdout } = await fedgateCli(['hosts', '--region', REGION]);
      assert.match(stdout, /^127\.0\.0\.1 ecs\.us-gov-east-1\.amazonaws\.com ecs-fips\./m);
      assert.doesNotMatch(stdout, /\*/);
      const identity = await aws(['sts', 'get-caller-identity']);
      assert.equal(identity.code, 0, identity.stderr);
      assert.equal(JSON.parse(identity.stdout).Arn, user.Arn);
    });

    it("reproduces AWS's sample event of put-account-setting-default, field for field", async () => {
      const put = await aws([
        ...['--region', REGION, 'ecs', 'put-account-setting-default'],
        ...['--name', 'fargateFIPSMode', '--value', 'enabled'],
      ]);
      assert.equal(put.code, 0, put.stderr);

      const record = await newestPutDefault(aws);
      // The same fields, in the same order.
      assert.deepEqual(Object.keys(record), Object.keys(AWS_SAMPLE_EVENT));
      assert.deepEqual(record.tlsDetails, AWS_SAMPLE_EVENT.tlsDetails);
      assertUserIdentity(record.userIdentity, user);
      for (const field of [
        ...['eventVersion', 'eventSource', 'eventName', 'awsRegion', 'readOnly'],
        ...['eventType', 'managementEvent', 'eventCategory', 'requestParameters'],
      ] as const) {
        assert.deepEqual(record[field], AWS_SAMPLE_EVENT[field], field);
      }
      assertOwnValues(record, user);
    });
  },
);

/** The newest PutAccountSettingDefault record, looked up with the CLI by host name too. */
async function newestPutDefault(
  aws: (args: string[]) => ReturnType<typeof awsCliByHostName>,
): Promise<Record<string, unknown>> {
  const lookup = await aws([
    ...['cloudtrail', 'lookup-events', '--max-results', '1', '--lookup-attributes'],
    'AttributeKey=EventName,AttributeValue=PutAccountSettingDefault',
  ]);
  assert.equal(lookup.code, 0, lookup.stderr);
  const [event] = JSON.parse(lookup.stdout).Events as { CloudTrailEvent: string }[];
  assert.ok(event, 'no PutAccountSettingDefault event');
  return JSON.parse(event.CloudTrailEvent) as Record<string, unknown>;
}

/** The sample's userIdentity keys, with this user's values; `userName` as real records have. */
function assertUserIdentity(identity: unknown, user: TestUser): void {
  const keys = Object.keys(AWS_SAMPLE_EVENT.userIdentity);
  const got = identity as Record<string, unknown>;
  assert.deepEqual(Object.keys(got).sort(), [...keys, 'userName'].sort());
  assert.equal(got.type, 'IAMUser');
  assert.match(String(got.principalId), /^AIDA[A-Z2-7]{17}$/);
  assert.equal(got.arn, user.Arn);
  assert.equal(got.accessKeyId, user.AccessKeyId);
  assert.equal(got.userName, 'jdoe');
}

/** The fields whose values are this call's own: time, address, client, ids, account. */
function assertOwnValues(record: Record<string, unknown>, user: TestUser): void {
  const accountId = user.Arn.split(':')[4];
  assert.equal((record.userIdentity as { accountId: string }).accountId, accountId);
  assert.equal(record.recipientAccountId, accountId);
  assert.match(String(record.eventTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(record.sourceIPAddress, '127.0.0.1');
  assert.match(
    String(record.userAgent),
    /^aws-cli\/2\..*command\/ecs\.put-account-setting-default/,
  );
  assert.match(String(record.requestID), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f-]{17}$/);
  assert.match(String(record.eventID), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f-]{17}$/);
  // Documented differences: the answer names the account root, and today's ECS adds `type`.
  assert.deepEqual(record.responseElements, {
    setting: {
      ...AWS_SAMPLE_EVENT.responseElements.setting,
      principalArn: `arn:aws-us-gov:iam::${accountId}:root`,
      type: 'user',
    },
  });
}
