import { PostgresAdapter, type Kysely } from 'kysely';

/** The first schema: identities, ECS account settings and CloudTrail event history. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['account_id', 'user_name'])
    .execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id'))
    .addColumn('user_name', 'text')
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_settings')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_settings_pk', ['account_id', 'region', 'principal', 'name'])
    .execute();

  await createEventTables(db);
}

async function createEventTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('seq', isPostgres(db) ? 'bigserial' : 'integer', (c) =>
      isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('event_source', 'text', (c) => c.notNull())
    .addColumn('read_only', 'integer', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('access_key_id', 'text')
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();

  // LookupEvents reads newest first within (account, region), optionally narrowed by one
  // attribute: one index per attribute keeps every lookup an index range scan.
  const scoped = ['account_id', 'region'];
  await index(db, 'events_time', 'events', [...scoped, 'event_time', 'seq']);
  for (const column of ['event_name', 'event_source', 'read_only', 'username', 'access_key_id']) {
    await index(db, `events_${column}`, 'events', [...scoped, column, 'event_time', 'seq']);
  }

  await db.schema
    .createTable('event_resources')
    .addColumn('seq', 'integer', (c) => c.notNull().references('events.seq').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .execute();
  await index(db, 'event_resources_type', 'event_resources', [
    ...scoped,
    'resource_type',
    'event_time',
    'seq',
  ]);
  await index(db, 'event_resources_seq', 'event_resources', ['seq']);
  await index(db, 'event_resources_name', 'event_resources', [
    ...scoped,
    'resource_name',
    'event_time',
    'seq',
  ]);
}

/** SQLite and PostgreSQL spell an auto-incrementing key differently; everything else is shared. */
function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function index(db: Kysely<unknown>, name: string, table: string, columns: string[]) {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}
