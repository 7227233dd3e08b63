import { sql, type Kysely } from 'kysely';

/**
 * Events learn their CloudTrail category. Management events (every event so
 * far) are what the event history shows; data events (S3 object calls) are
 * recorded only for the trails whose selectors ask for them, and only those
 * trails deliver them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN management integer NOT NULL DEFAULT 1`.execute(db);
}
