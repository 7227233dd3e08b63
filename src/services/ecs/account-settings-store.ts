import type { Db } from '../../store/db.js';

/** Where a setting lives: one principal of one account in one region (ECS settings are regional). */
export interface SettingScope {
  readonly accountId: string;
  readonly region: string;
  /** `root`, `user/<name>` or `role/<name>`. */
  readonly principal: string;
}

/** The explicit settings of one principal, by name. */
export async function readSettings(db: Db, scope: SettingScope): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('account_settings')
    .select(['name', 'value'])
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('principal', '=', scope.principal)
    .execute();
  return new Map(rows.map((row) => [row.name, row.value]));
}

/** Sets (or replaces) one explicit setting. */
export async function writeSetting(
  db: Db,
  scope: SettingScope,
  name: string,
  value: string,
  at: Date,
) {
  await db
    .insertInto('account_settings')
    .values({
      account_id: scope.accountId,
      region: scope.region,
      principal: scope.principal,
      name,
      value,
      updated_at: at.getTime(),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['account_id', 'region', 'principal', 'name'])
        .doUpdateSet({ value, updated_at: at.getTime() }),
    )
    .execute();
}

/** Removes one explicit setting; answers the value it had, if any. */
export async function removeSetting(
  db: Db,
  scope: SettingScope,
  name: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('account_settings')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('principal', '=', scope.principal)
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  return row?.value;
}
