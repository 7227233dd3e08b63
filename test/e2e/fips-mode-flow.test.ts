import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCli, requireAwsCli } from '../support/aws-cli.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestUser } from '../support/fedgate-cli.js';

/**
 * AWS's documented Fargate FIPS-140 flow with the real AWS CLI v2: turn on Fargate FIPS-140
 * mode in GovCloud, check it, and find who turned it on in CloudTrail.
 */
describe('Fargate FIPS-140 mode with the AWS CLI', () => {
  let server: TestServer;
  let user: { UserName: string; Arn: string; AccessKeyId: string; SecretAccessKey: string };
  const region = 'us-gov-east-1';

  before(async () => {
    requireAwsCli();
    server = await startTestServer();
    user = await createTestUser(server.dataDir, 'jdoe');
  });
  after(() => server.stop());

  const asUser = () => ({ accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey });

  it('turns FIPS mode on with put-account-setting-default', async () => {
    const result = await awsCli(server.url, asUser(), region, [
      'ecs',
      'put-account-setting-default',
      '--name',
      'fargateFIPSMode',
      '--value',
      'enabled',
    ]);
    assert.equal(result.code, 0, result.stderr);
    // AWS CLI 2.9's model predates Setting.type, so the CLI drops that member (the SDK shows it).
    assert.deepEqual(JSON.parse(result.stdout), {
      setting: {
        name: 'fargateFIPSMode',
        value: 'enabled',
        principalArn: `arn:aws-us-gov:iam::${server.root.accountId}:root`,
      },
    });
  });

  it('shows FIPS mode enabled in the effective settings of an IAM user', async () => {
    const result = await awsCli(server.url, asUser(), region, [
      'ecs',
      'list-account-settings',
      '--effective-settings',
      '--name',
      'fargateFIPSMode',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).settings, [
      { name: 'fargateFIPSMode', value: 'enabled', principalArn: user.Arn },
    ]);
  });

  it('records the PutAccountSettingDefault call with every field of its CloudTrail record', async () => {
    const result = await awsCli(server.url, server.root, region, [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=PutAccountSettingDefault',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const events = JSON.parse(result.stdout).Events as Record<string, unknown>[];
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.EventName, 'PutAccountSettingDefault');
    assert.equal(event?.Username, 'jdoe');
    assert.equal(event?.ReadOnly, 'false');
    assert.equal(event?.AccessKeyId, user.AccessKeyId);
    assert.equal(event?.EventSource, 'ecs.amazonaws.com');

    const record = JSON.parse(String(event?.CloudTrailEvent)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), [
      'eventVersion',
      'userIdentity',
      'eventTime',
      'eventSource',
      'eventName',
      'awsRegion',
      'sourceIPAddress',
      'userAgent',
      'requestParameters',
      'responseElements',
      'requestID',
      'eventID',
      'readOnly',
      'eventType',
      'managementEvent',
      'recipientAccountId',
      'eventCategory',
    ]);
    assert.equal(record.eventVersion, '1.08');
    assert.deepEqual(record.userIdentity, {
      type: 'IAMUser',
      principalId: (record.userIdentity as { principalId: string }).principalId,
      arn: user.Arn,
      accountId: server.root.accountId,
      accessKeyId: user.AccessKeyId,
      userName: 'jdoe',
    });
    assert.match(
      (record.userIdentity as { principalId: string }).principalId,
      /^AIDA[A-Z2-7]{17}$/,
    );
    assert.match(String(record.eventTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(record.eventSource, 'ecs.amazonaws.com');
    assert.equal(record.eventName, 'PutAccountSettingDefault');
    assert.equal(record.awsRegion, region);
    assert.equal(record.sourceIPAddress, '127.0.0.1');
    assert.match(
      String(record.userAgent),
      /^aws-cli\/2\..*command\/ecs\.put-account-setting-default/,
    );
    assert.deepEqual(record.requestParameters, { name: 'fargateFIPSMode', value: 'enabled' });
    assert.deepEqual(record.responseElements, {
      setting: {
        name: 'fargateFIPSMode',
        value: 'enabled',
        principalArn: `arn:aws-us-gov:iam::${server.root.accountId}:root`,
        type: 'user',
      },
    });
    assert.match(String(record.requestID), /^[0-9a-f-]{36}$/);
    assert.equal(record.eventID, event?.EventId);
    assert.equal(record.readOnly, false);
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.managementEvent, true);
    assert.equal(record.recipientAccountId, server.root.accountId);
    assert.equal(record.eventCategory, 'Management');
  });

  it('refuses FIPS mode in us-east-1 and records the refusal', async () => {
    const refused = await awsCli(server.url, asUser(), 'us-east-1', [
      'ecs',
      'put-account-setting-default',
      '--name',
      'fargateFIPSMode',
      '--value',
      'enabled',
    ]);
    assert.equal(refused.code, 254);
    assert.match(refused.stderr, /InvalidParameterException.*GovCloud/);

    const history = await awsCli(server.url, server.root, 'us-east-1', [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=PutAccountSettingDefault',
    ]);
    const [event] = JSON.parse(history.stdout).Events as { CloudTrailEvent: string }[];
    const record = JSON.parse(event?.CloudTrailEvent ?? '{}') as Record<string, unknown>;
    assert.equal(record.errorCode, 'InvalidParameterException');
    assert.match(String(record.errorMessage), /GovCloud/);
    assert.equal(record.responseElements, null);
    assert.equal(record.awsRegion, 'us-east-1');
  });

  it('answers get-caller-identity over the Query protocol', async () => {
    const result = await awsCli(server.url, asUser(), region, ['sts', 'get-caller-identity']);
    assert.equal(result.code, 0, result.stderr);
    const identity = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(identity.Account, server.root.accountId);
    assert.equal(identity.Arn, user.Arn);
  });
});
