import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  LookupEventsCommand,
  paginateLookupEvents,
  type Event,
  type LookupAttributeKey,
} from '@aws-sdk/client-cloudtrail';
import { PutAccountSettingCommand, ListAccountSettingsCommand } from '@aws-sdk/client-ecs';
import { insertEvent } from '../../src/audit/event-store.js';
import { ManualClock } from '../../src/util/clock.js';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestCredentials, type TestServer } from '../support/fedgate.js';
import { createTestAccount, createTestUser } from '../support/fedgate-cli.js';

const REGION = 'us-gov-east-1';
const START = new Date();

describe('CloudTrail event history (LookupEvents)', () => {
  const clock = new ManualClock(START);
  let server: TestServer;
  let carol: { AccessKeyId: string; SecretAccessKey: string };

  before(async () => {
    server = await startTestServer({}, { clock });
    carol = await createTestUser(server.dataDir, 'carol');
  });
  after(() => server.stop());

  // Clients sign with the server's (moved) clock, as a client with a synchronised clock would.
  const target = (credentials: TestCredentials = server.root, region = REGION) => ({
    endpoint: server.url,
    credentials,
    region,
    clockOffset: clock.now().getTime() - Date.now(),
  });
  const trail = {
    send: (command: LookupEventsCommand) => cloudTrailClient(target()).send(command),
  };
  const ecs = {
    send: <T extends PutAccountSettingCommand | ListAccountSettingsCommand>(command: T) =>
      ecsClient(target()).send(command as PutAccountSettingCommand),
  };

  const lookup = (key: LookupAttributeKey, value: string, extra = {}) =>
    trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: key, AttributeValue: value }],
        ...extra,
      }),
    );

  it('finds a call by each of the eight lookup attributes', async () => {
    clock.advance(1000);
    const carolEcs = ecsClient(
      target({ accessKeyId: carol.AccessKeyId, secretAccessKey: carol.SecretAccessKey }),
    );
    await carolEcs.send(
      new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }),
    );
    await insertEvent(
      server.db,
      resourceEvent(
        server.root.accountId,
        'evt-with-resource',
        'AWS::ECS::Cluster',
        'arn:aws-us-gov:ecs:us-gov-east-1:1:cluster/blue',
      ),
    );

    const [byName] = (await lookup('EventName', 'PutAccountSetting')).Events ?? [];
    assert.ok(byName?.EventId);
    const checks: [LookupAttributeKey, string][] = [
      ['EventId', byName.EventId],
      ['Username', 'carol'],
      ['AccessKeyId', carol.AccessKeyId],
      ['EventSource', 'ecs.amazonaws.com'],
      ['ReadOnly', 'false'],
    ];
    for (const [key, value] of checks) {
      const events = (await lookup(key, value)).Events ?? [];
      assert.ok(
        events.some((e) => e.EventId === byName.EventId),
        `${key}=${value}`,
      );
      assert.ok(
        events.every((e) => matches(e, key, value)),
        `${key}=${value} found others`,
      );
    }

    const byType = (await lookup('ResourceType', 'AWS::ECS::Cluster')).Events ?? [];
    const byResource =
      (await lookup('ResourceName', 'arn:aws-us-gov:ecs:us-gov-east-1:1:cluster/blue')).Events ??
      [];
    assert.deepEqual(
      byType.map((e) => e.EventId),
      ['evt-with-resource'],
    );
    assert.deepEqual(
      byResource.map((e) => e.EventId),
      ['evt-with-resource'],
    );
    assert.deepEqual(byType[0]?.Resources, [
      {
        ResourceType: 'AWS::ECS::Cluster',
        ResourceName: 'arn:aws-us-gov:ecs:us-gov-east-1:1:cluster/blue',
      },
    ]);
  });

  it('records read-only calls with null responseElements, and finds them with ReadOnly=true', async () => {
    clock.advance(1000);
    await ecs.send(new ListAccountSettingsCommand({}));
    const [event] = (await lookup('EventName', 'ListAccountSettings')).Events ?? [];
    assert.equal(event?.ReadOnly, 'true');
    const record = JSON.parse(event?.CloudTrailEvent ?? '{}') as Record<string, unknown>;
    assert.equal(record.readOnly, true);
    assert.equal(record.responseElements, null);
    assert.equal(record.requestParameters, null);

    const readOnly = (await lookup('ReadOnly', 'true', { MaxResults: 50 })).Events ?? [];
    assert.ok(readOnly.length > 0 && readOnly.every((e) => e.ReadOnly === 'true'));
  });

  it('pages newest first with NextToken and MaxResults, without repeats', async () => {
    for (let i = 0; i < 23; i += 1) {
      clock.advance(1000);
      await ecs.send(
        new PutAccountSettingCommand({
          name: 'containerInsights',
          value: i % 2 ? 'enabled' : 'disabled',
        }),
      );
    }
    const seen: Event[] = [];
    const pages: number[] = [];
    const query = {
      LookupAttributes: [{ AttributeKey: 'Username' as const, AttributeValue: 'root' }],
      MaxResults: 10,
    };
    for await (const page of paginateLookupEvents({ client: cloudTrailClient(target()) }, query)) {
      pages.push(page.Events?.length ?? 0);
      seen.push(...(page.Events ?? []));
    }
    const puts = seen.filter((e) => e.EventName === 'PutAccountSetting');
    assert.equal(puts.length, 23);
    assert.equal(new Set(seen.map((e) => e.EventId)).size, seen.length);
    const times = seen.map((e) => e.EventTime?.getTime() ?? 0);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.ok(pages.length >= 3 && pages.slice(0, -1).every((n) => n === 10));
  });

  it('narrows by StartTime and EndTime, both inclusive', async () => {
    const first = new Date(clock.now().getTime() + 60_000);
    clock.advance(60_000);
    await ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    clock.advance(60_000);
    await ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'disabled' }));

    const both = await trail.send(
      new LookupEventsCommand({ StartTime: first, EndTime: clock.now() }),
    );
    const onlyFirst = await trail.send(
      new LookupEventsCommand({ StartTime: first, EndTime: first }),
    );
    assert.equal(both.Events?.filter((e) => e.EventName === 'PutAccountSetting').length, 2);
    assert.equal(onlyFirst.Events?.length, 1);
  });

  it('returns InvalidTimeRangeException when StartTime is after EndTime', async () => {
    await rejectsWith(
      trail.send(new LookupEventsCommand({ StartTime: clock.now(), EndTime: START })),
      'InvalidTimeRangeException',
    );
  });

  it('returns InvalidMaxResultsException when MaxResults is 0 or 51', async () => {
    for (const MaxResults of [0, 51]) {
      await rejectsWith(
        trail.send(new LookupEventsCommand({ MaxResults })),
        'InvalidMaxResultsException',
      );
    }
  });

  it('returns InvalidLookupAttributesException for two attributes, an unknown key or a bad ReadOnly', async () => {
    const two = [
      { AttributeKey: 'EventName' as const, AttributeValue: 'a' },
      { AttributeKey: 'Username' as const, AttributeValue: 'b' },
    ];
    await rejectsWith(
      trail.send(new LookupEventsCommand({ LookupAttributes: two })),
      'InvalidLookupAttributesException',
    );
    await rejectsWith(
      lookup('Color' as LookupAttributeKey, 'red'),
      'InvalidLookupAttributesException',
    );
    await rejectsWith(lookup('ReadOnly', 'maybe'), 'InvalidLookupAttributesException');
    await rejectsWith(lookup('EventName', ''), 'InvalidLookupAttributesException');
    await rejectsWith(lookup('EventName', '_'.repeat(1001)), 'InvalidLookupAttributesException');
  });

  it('returns InvalidNextTokenException for a token used with other parameters, or not a token', async () => {
    const page = await trail.send(new LookupEventsCommand({ MaxResults: 1 }));
    assert.ok(page.NextToken);
    await rejectsWith(
      trail.send(
        new LookupEventsCommand({ MaxResults: 1, NextToken: page.NextToken, EndTime: clock.now() }),
      ),
      'InvalidNextTokenException',
    );
    await rejectsWith(
      trail.send(new LookupEventsCommand({ NextToken: 'garbage' })),
      'InvalidNextTokenException',
    );
  });

  it('answers no events for EventCategory insight and InvalidEventCategoryException for others', async () => {
    const insights = await trail.send(new LookupEventsCommand({ EventCategory: 'insight' }));
    assert.deepEqual(insights.Events, []);
    await rejectsWith(
      trail.send(new LookupEventsCommand({ EventCategory: 'management' as 'insight' })),
      'InvalidEventCategoryException',
    );
  });

  it("keeps each account's and region's events apart", async () => {
    const other = await createTestAccount(server.dataDir);
    const otherTrail = cloudTrailClient(
      target({ accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey }),
    );
    const seen = (await otherTrail.send(new LookupEventsCommand({}))).Events ?? [];
    assert.ok(
      seen.every((e) => e.EventName === 'LookupEvents' && e.AccessKeyId === other.AccessKeyId),
    );

    const west = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-gov-west-1',
    });
    const westEvents = (await west.send(new LookupEventsCommand({}))).Events ?? [];
    assert.ok(
      westEvents.every((e) => JSON.parse(e.CloudTrailEvent ?? '{}').awsRegion === 'us-gov-west-1'),
    );
  });

  it('forgets events older than 90 days', async () => {
    const [before] = (await lookup('EventName', 'ListAccountSettings')).Events ?? [];
    assert.ok(before);
    clock.advance(91 * 24 * 60 * 60 * 1000);
    const after = (await lookup('EventName', 'ListAccountSettings')).Events ?? [];
    assert.deepEqual(after, []);
  });
});

describe('LookupEvents quota', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ lookupEventsRate: 2 });
  });
  after(() => server.stop());

  it('returns ThrottlingException past 2 requests per second per account and region', async () => {
    const trail = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: REGION,
    });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => trail.send(new LookupEventsCommand({}))),
    );
    const throttled = results.filter((r) => r.status === 'rejected');
    assert.ok(throttled.length >= 1);
    for (const r of throttled)
      assert.equal((r as PromiseRejectedResult).reason.name, 'ThrottlingException');

    const west = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-gov-west-1',
    });
    await west.send(new LookupEventsCommand({}));
  });
});

function matches(event: Event, key: LookupAttributeKey, value: string): boolean {
  const fields: Partial<Record<LookupAttributeKey, string | undefined>> = {
    EventId: event.EventId,
    Username: event.Username,
    AccessKeyId: event.AccessKeyId,
    EventSource: event.EventSource,
    ReadOnly: event.ReadOnly,
    EventName: event.EventName,
  };
  return fields[key] === value;
}

function resourceEvent(accountId: string, eventId: string, type: string, arn: string) {
  const record = {
    eventID: eventId,
    eventName: 'CreateCluster',
    eventSource: 'ecs.amazonaws.com',
    readOnly: false,
    userIdentity: { type: 'Root', accessKeyId: 'AKIAEXAMPLE' },
    resources: [{ accountId: '1', type, ARN: arn }],
  };
  return {
    eventId,
    accountId,
    region: REGION,
    eventTime: START,
    eventName: 'CreateCluster',
    eventSource: 'ecs.amazonaws.com',
    readOnly: false,
    username: 'root',
    accessKeyId: 'AKIAEXAMPLE',
    resources: [{ type, name: arn, arn }],
    record: JSON.stringify(record),
  };
}
