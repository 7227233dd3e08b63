import type { Kysely } from 'kysely';

/**
 * ECS clusters, one row per name in each account and region (a deleted cluster stays as
 * INACTIVE, and creating it again reuses the row, as its ARN is the same), and tags of any
 * ECS resource, keyed by the resource's ARN, which already names its account and region.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clusters')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('cluster_name', 'text', (c) => c.notNull())
    .addColumn('cluster_arn', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('configuration', 'text')
    .addColumn('capacity_providers', 'text', (c) => c.notNull())
    .addColumn('default_strategy', 'text', (c) => c.notNull())
    .addColumn('service_connect_defaults', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // ListClusters pages through one account and region in name order along this key.
    .addPrimaryKeyConstraint('clusters_pk', ['account_id', 'region', 'cluster_name'])
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    // Tags are listed in the order they were first added; a new value keeps its place.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'tag_key'])
    .execute();
}
