import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paginateLookupEvents, type Event } from '@aws-sdk/client-cloudtrail';
import { ListAccountSettingsCommand, PutAccountSettingCommand } from '@aws-sdk/client-ecs';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { fixedRoot, spawnFedgate } from '../support/fedgate-process.js';

const REGION = 'us-gov-west-1';

describe('durability across restarts and crashes', () => {
  let dataDir: string;
  const root = fixedRoot();
  const credentials = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fedgate-durability-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const history = async (url: string, eventName: string): Promise<Event[]> => {
    const client = cloudTrailClient({ endpoint: url, credentials, region: REGION });
    const events: Event[] = [];
    const query = {
      LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: eventName }],
    };
    for await (const page of paginateLookupEvents({ client }, query))
      events.push(...(page.Events ?? []));
    return events;
  };

  it('keeps settings and event history across a SIGTERM restart', async () => {
    const first = await spawnFedgate(dataDir, root);
    const ecs = ecsClient({ endpoint: first.url, credentials, region: REGION });
    await ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = await spawnFedgate(dataDir, root);
    try {
      const again = ecsClient({ endpoint: second.url, credentials, region: REGION });
      const settings = await again.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking' }));
      assert.equal(settings.settings?.[0]?.value, 'enabled');
      assert.equal((await history(second.url, 'PutAccountSetting')).length, 1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('loses no acknowledged write and leaves no event without its change when killed mid-burst', async () => {
    const server = await spawnFedgate(dataDir, root);
    const ecs = ecsClient({ endpoint: server.url, credentials, region: REGION });
    const acknowledged = new Map<string, string>();
    let sent = 0;

    const writer = async () => {
      while (sent < 2000) {
        const value = sent++ % 2 === 0 ? 'enabled' : 'disabled';
        const out = await ecs.send(
          new PutAccountSettingCommand({ name: 'containerInsights', value }),
        );
        if (out.$metadata.requestId) acknowledged.set(out.$metadata.requestId, value);
        if (acknowledged.size === 150) server.child.kill('SIGKILL');
      }
    };
    await Promise.allSettled(Array.from({ length: 8 }, writer));
    await server.exited;
    assert.ok(acknowledged.size >= 150, `only ${acknowledged.size} writes were acknowledged`);

    const restarted = await spawnFedgate(dataDir, root);
    try {
      const events = await history(restarted.url, 'PutAccountSetting');
      const recorded = new Set(
        events.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}').requestID as string),
      );
      const missing = [...acknowledged.keys()].filter((id) => !recorded.has(id));
      assert.deepEqual(missing, [], 'acknowledged writes without a CloudTrail record');

      // The newest recorded change must be the state: no event exists whose change was lost.
      const newest = events.find((e) => !JSON.parse(e.CloudTrailEvent ?? '{}').errorCode);
      const newestValue = JSON.parse(newest?.CloudTrailEvent ?? '{}').requestParameters?.value;
      const again = ecsClient({ endpoint: restarted.url, credentials, region: REGION });
      const state = await again.send(new ListAccountSettingsCommand({ name: 'containerInsights' }));
      assert.equal(state.settings?.[0]?.value, newestValue);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});
