import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openSqliteStore } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { Database } from '../../src/store/schema.js';

describe('GroupCommit', () => {
  let db: Kysely<Database>;
  before(async () => {
    db = await openSqliteStore(':memory:');
  });
  after(() => db.destroy());

  const addAccount = (id: string) => (tx: Kysely<Database>) =>
    tx.insertInto('accounts').values({ account_id: id, created_at: 0 }).execute();

  it('commits every job of a burst and rolls back only the one that failed', async () => {
    const commits = new GroupCommit(db, 8);
    const ids = Array.from({ length: 40 }, (_, i) => String(100000000000 + i));
    const results = await Promise.allSettled(
      ids.map((id, i) =>
        commits.run(async (tx) => {
          await addAccount(id)(tx as Kysely<Database>);
          if (i === 17) throw new Error('job 17 fails after writing');
          return id;
        }),
      ),
    );

    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    const stored = await db.selectFrom('accounts').select('account_id').execute();
    const present = new Set(stored.map((row) => row.account_id));
    assert.equal(present.has(ids[17] ?? ''), false);
    assert.equal(present.size, 39);
  });

  it('rejects a job whose write fails, and the next job still commits', async () => {
    const commits = new GroupCommit(db);
    const duplicate = '200000000000';
    await commits.run(addAccount(duplicate) as never);

    const failing = commits.run(async (tx) => {
      await addAccount(duplicate)(tx as Kysely<Database>);
    });
    await assert.rejects(failing, /UNIQUE/);
    await commits.run(addAccount('200000000001') as never);
    const row = await db
      .selectFrom('accounts')
      .select('account_id')
      .where('account_id', '=', '200000000001')
      .executeTakeFirst();
    assert.ok(row, 'the call after a failure committed');
  });
});
