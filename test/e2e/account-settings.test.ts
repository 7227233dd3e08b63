import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteAccountSettingCommand,
  ECSClient,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  paginateListAccountSettings,
  type Setting,
  type SettingName,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { ecsClient } from '../support/clients.js';
import { createTestAccount, createTestUser } from '../support/fedgate-cli.js';
import { rejectsWith } from '../support/errors.js';

const GOV = 'us-gov-west-1';

describe('ECS account settings', () => {
  let server: TestServer;
  let root: ECSClient;
  let alice: ECSClient;
  let aliceArn: string;
  let bobArn: string;

  before(async () => {
    server = await startTestServer();
    const [a, b] = await Promise.all([
      createTestUser(server.dataDir, 'alice'),
      createTestUser(server.dataDir, 'bob'),
    ]);
    aliceArn = a.Arn;
    bobArn = b.Arn;
    root = ecsClient({ endpoint: server.url, credentials: server.root, region: GOV });
    alice = ecsClient({
      endpoint: server.url,
      credentials: { accessKeyId: a.AccessKeyId, secretAccessKey: a.SecretAccessKey },
      region: GOV,
    });
  });
  after(() => server.stop());

  const effective = async (client: ECSClient, name: SettingName, principalArn?: string) => {
    const out = await client.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, name, principalArn }),
    );
    return out.settings?.[0];
  };

  it('lists every setting with its default as effective settings, ten to a page', async () => {
    const first = await root.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings?.length, 10);
    assert.ok(first.nextToken);

    const all: Setting[] = [];
    for await (const page of paginateListAccountSettings(
      { client: root },
      { effectiveSettings: true },
    )) {
      all.push(...(page.settings ?? []));
    }
    const values = Object.fromEntries(all.map((s) => [s.name, s.value]));
    assert.equal(all.length, 12);
    assert.equal(values.fargateFIPSMode, 'disabled');
    assert.equal(values.taskLongArnFormat, 'enabled');
    assert.equal(values.fargateTaskRetirementWaitPeriod, '7');
    assert.equal(values.tagResourceAuthorization, 'on');
    assert.equal(all.find((s) => s.name === 'guardDutyActivate')?.type, 'aws_managed');
    assert.ok(
      all.every((s) => s.principalArn === `arn:aws-us-gov:iam::${server.root.accountId}:root`),
    );
  });

  it('lists no explicit settings before any is set', async () => {
    const out = await alice.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(out.settings, []);
  });

  it('lets a user override the account default for itself only', async () => {
    await root.send(
      new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }),
    );
    const own = await alice.send(
      new PutAccountSettingCommand({ name: 'containerInsights', value: 'disabled' }),
    );
    assert.deepEqual(own.setting, {
      name: 'containerInsights',
      value: 'disabled',
      principalArn: aliceArn,
      type: 'user',
    });

    assert.equal((await effective(alice, 'containerInsights'))?.value, 'disabled');
    assert.equal((await effective(root, 'containerInsights', bobArn))?.value, 'enhanced');
    assert.equal((await effective(root, 'containerInsights'))?.value, 'enhanced');
  });

  it('falls back to the default after DeleteAccountSetting, answering the removed value', async () => {
    await alice.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    const removed = await alice.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking' }));
    assert.equal(removed.setting?.value, 'enabled');
    assert.equal((await effective(alice, 'awsvpcTrunking'))?.value, 'disabled');
  });

  it('lets root set and list a setting for a named user', async () => {
    await root.send(
      new PutAccountSettingCommand({
        name: 'serviceLongArnFormat',
        value: 'disabled',
        principalArn: bobArn,
      }),
    );
    const out = await root.send(new ListAccountSettingsCommand({ principalArn: bobArn }));
    assert.deepEqual(
      out.settings?.map((s) => [s.name, s.value, s.principalArn]),
      [['serviceLongArnFormat', 'disabled', bobArn]],
    );
  });

  it('filters by value when a name is given', async () => {
    const hit = await root.send(
      new ListAccountSettingsCommand({
        effectiveSettings: true,
        name: 'fargateFIPSMode',
        value: 'disabled',
      }),
    );
    const miss = await root.send(
      new ListAccountSettingsCommand({
        effectiveSettings: true,
        name: 'fargateFIPSMode',
        value: 'enabled',
      }),
    );
    assert.equal(hit.settings?.length, 1);
    assert.equal(miss.settings?.length, 0);
  });

  it('accepts dualStackIPv6, which AWS documents beyond its model', async () => {
    const out = await alice.send(
      new PutAccountSettingCommand({ name: 'dualStackIPv6' as SettingName, value: 'enabled' }),
    );
    assert.equal(out.setting?.value, 'enabled');
  });

  it('returns InvalidParameterException when the value is not one the setting takes', async () => {
    const message = await rejectsWith(
      alice.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'ENABLED' })),
      'InvalidParameterException',
    );
    assert.equal(message, "Invalid setting 'value'");
  });

  it('returns InvalidParameterException when the setting name is unknown', async () => {
    const message = await rejectsWith(
      alice.send(
        new PutAccountSettingCommand({ name: 'noSuchSetting' as SettingName, value: 'enabled' }),
      ),
      'InvalidParameterException',
    );
    assert.match(
      message,
      /Value 'noSuchSetting' at 'name' failed to satisfy constraint: Member must satisfy enum value set/,
    );
  });

  it('returns InvalidParameterException when a value filter comes without a name', async () => {
    await rejectsWith(
      alice.send(new ListAccountSettingsCommand({ value: 'enabled' })),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when maxResults is out of range', async () => {
    await rejectsWith(
      alice.send(new ListAccountSettingsCommand({ maxResults: 11 })),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when a nextToken is reused with other parameters', async () => {
    const first = await root.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 2 }),
    );
    await rejectsWith(
      root.send(
        new ListAccountSettingsCommand({ effectiveSettings: false, nextToken: first.nextToken }),
      ),
      'InvalidParameterException',
    );
    await rejectsWith(
      root.send(new ListAccountSettingsCommand({ nextToken: 'bm90LWEtdG9rZW4' })),
      'InvalidParameterException',
    );
  });

  it('returns AccessDeniedException when a user changes another principal', async () => {
    await rejectsWith(
      alice.send(
        new PutAccountSettingCommand({
          name: 'containerInsights',
          value: 'enabled',
          principalArn: bobArn,
        }),
      ),
      'AccessDeniedException',
    );
    await rejectsWith(
      alice.send(new ListAccountSettingsCommand({ principalArn: bobArn })),
      'AccessDeniedException',
    );
  });

  it('returns InvalidParameterException when the principal does not exist', async () => {
    const ghost = `arn:aws-us-gov:iam::${server.root.accountId}:user/ghost`;
    await rejectsWith(
      root.send(
        new PutAccountSettingCommand({
          name: 'containerInsights',
          value: 'enabled',
          principalArn: ghost,
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when the principal ARN is malformed or of another partition', async () => {
    for (const principalArn of ['not-an-arn', `arn:aws:iam::${server.root.accountId}:user/bob`]) {
      await rejectsWith(
        root.send(
          new PutAccountSettingCommand({
            name: 'containerInsights',
            value: 'enabled',
            principalArn,
          }),
        ),
        'InvalidParameterException',
      );
    }
  });

  it("returns AccessDeniedException when the principal is another account's", async () => {
    const other = await createTestAccount(server.dataDir);
    const principalArn = `arn:aws-us-gov:iam::${other.AccountId}:root`;
    await rejectsWith(
      root.send(
        new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled', principalArn }),
      ),
      'AccessDeniedException',
    );
  });

  it('returns InvalidParameterException for federated principals, which inherit root', async () => {
    const principalArn = `arn:aws-us-gov:sts::${server.root.accountId}:assumed-role/Admin/session`;
    await rejectsWith(
      root.send(
        new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled', principalArn }),
      ),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when guardDutyActivate, which AWS manages, is changed', async () => {
    await rejectsWith(
      root.send(
        new PutAccountSettingDefaultCommand({ name: 'guardDutyActivate', value: 'enabled' }),
      ),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when fargateFIPSMode is set for one principal', async () => {
    const message = await rejectsWith(
      alice.send(new PutAccountSettingCommand({ name: 'fargateFIPSMode', value: 'enabled' })),
      'InvalidParameterException',
    );
    assert.match(message, /PutAccountSettingDefault/);
  });

  it('returns AccessDeniedException when a user changes fargateTaskRetirementWaitPeriod', async () => {
    await rejectsWith(
      alice.send(
        new PutAccountSettingDefaultCommand({
          name: 'fargateTaskRetirementWaitPeriod',
          value: '14',
        }),
      ),
      'AccessDeniedException',
    );
    const ok = await root.send(
      new PutAccountSettingDefaultCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }),
    );
    assert.equal(ok.setting?.value, '14');
  });

  it('keeps settings per region and per account', async () => {
    await root.send(
      new PutAccountSettingDefaultCommand({ name: 'defaultLogDriverMode', value: 'blocking' }),
    );
    const east = ecsClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-gov-east-1',
    });
    assert.equal((await effective(east, 'defaultLogDriverMode'))?.value, 'non-blocking');

    const other = await createTestAccount(server.dataDir);
    const otherRoot = ecsClient({
      endpoint: server.url,
      credentials: { accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey },
      region: GOV,
    });
    assert.equal((await effective(otherRoot, 'defaultLogDriverMode'))?.value, 'non-blocking');
    const explicit = await otherRoot.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(explicit.settings, []);
  });

  it('uses the aws partition in commercial regions, where fargateFIPSMode stays disabled', async () => {
    const commercial = ecsClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-east-1',
    });
    const fips = await effective(commercial, 'fargateFIPSMode');
    assert.equal(fips?.value, 'disabled');
    assert.equal(fips?.principalArn, `arn:aws:iam::${server.root.accountId}:root`);
  });
});
