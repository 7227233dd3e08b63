import type { Kysely } from 'kysely';

/**
 * The per-region RSA key pairs that sign CloudTrail digest files. The public key is kept as
 * base64 text rather than a blob so SQLite and PostgreSQL store and return it alike; the
 * private key is sealed with the data directory's master key, never kept in clear.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trail_signing_keys')
    .addColumn('fingerprint', 'text', (c) => c.primaryKey())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('public_der', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('valid_until', 'bigint', (c) => c.notNull())
    .execute();

  // Both the current-key lookup and ListPublicKeys scan one region's keys by validity.
  await db.schema
    .createIndex('trail_signing_keys_validity')
    .on('trail_signing_keys')
    .columns(['region', 'valid_from'])
    .execute();
}
