import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { deleteEventsBefore, findEvents, insertEvent } from '../../src/audit/event-store.js';
import { openSqliteStore } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';

const DAY = 24 * 60 * 60 * 1000;

function event(accountId: string, index: number, time: number) {
  return {
    eventId: `${accountId}-${index}`,
    accountId,
    region: 'us-gov-west-1',
    eventTime: new Date(time),
    eventName: 'PutAccountSetting',
    eventSource: 'ecs.amazonaws.com',
    readOnly: false,
    username: 'root',
    accessKeyId: 'AKIAEXAMPLE',
    resources: index % 2 ? [{ type: 'AWS::ECS::Cluster', name: `c${index}` }] : [],
    record: '{}',
  };
}

describe('event history store', () => {
  let db: Kysely<Database>;
  const now = Date.UTC(2026, 11, 3);

  before(async () => {
    db = await openSqliteStore(':memory:');
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 2500; i += 1)
        await insertEvent(tx, event('111111111111', i, now - 100 * DAY + i));
      for (let i = 2500; i < 2510; i += 1) await insertEvent(tx, event('111111111111', i, now - i));
      for (let i = 0; i < 5; i += 1)
        await insertEvent(tx, event('222222222222', i, now - 100 * DAY));
    });
  });
  after(() => db.destroy());

  it('deletes only the old events of the account and region it is given, with their resources', async () => {
    const deleted = await deleteEventsBefore(db, '111111111111', 'us-gov-west-1', now - 90 * DAY);
    assert.equal(deleted, 2500);

    const remaining = await db.selectFrom('events').select(['account_id']).execute();
    assert.equal(remaining.filter((r) => r.account_id === '111111111111').length, 10);
    assert.equal(remaining.filter((r) => r.account_id === '222222222222').length, 5);
    const orphans = await db
      .selectFrom('event_resources')
      .select('seq')
      .where('seq', 'not in', db.selectFrom('events').select('seq'))
      .execute();
    assert.deepEqual(orphans, []);
  });

  it('finds events newest first and pages with a cursor without gaps or repeats', async () => {
    const query = {
      accountId: '111111111111',
      region: 'us-gov-west-1',
      startTime: 0,
      endTime: now,
      limit: 4,
    };
    const first = await findEvents(db, query);
    const last = first.at(-1);
    assert.ok(last, 'a first page');
    const second = await findEvents(db, {
      ...query,
      after: { eventTime: last.eventTime, seq: last.seq },
    });
    const seqs = [...first, ...second].map((e) => e.seq);
    assert.equal(new Set(seqs).size, 8);
    const times = [...first, ...second].map((e) => e.eventTime);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  });
});
