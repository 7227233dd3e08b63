import type {
  CapacityProviderStrategyItem,
  ClusterConfiguration,
  ClusterServiceConnectDefaults,
  ClusterSetting,
} from '../../model/generated/ecs.js';
import type { Db } from '../../store/db.js';
import type { ClustersTable } from '../../store/schema.js';
import { countTasks } from './tasks-store.js';

/** Where clusters live: one account in one region (ECS clusters are regional). */
export interface ClusterScope {
  readonly accountId: string;
  readonly region: string;
}

/** A cluster as fedgate keeps it. */
export interface ClusterRecord {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly settings: ClusterSetting[];
  readonly configuration?: ClusterConfiguration;
  readonly capacityProviders: string[];
  readonly defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
  readonly serviceConnectDefaults?: ClusterServiceConnectDefaults;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The cluster of that name in the scope, ACTIVE or INACTIVE; undefined when there is none. */
export async function findCluster(
  db: Db,
  scope: ClusterScope,
  name: string,
): Promise<ClusterRecord | undefined> {
  const row = await db
    .selectFrom('clusters')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('cluster_name', '=', name)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** Writes a cluster, replacing the row of the same name (a re-created cluster reuses it). */
export async function saveCluster(db: Db, cluster: ClusterRecord): Promise<void> {
  const row = toRow(cluster);
  const { account_id: _a, region: _r, cluster_name: _n, ...changes } = row;
  await db
    .insertInto('clusters')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'region', 'cluster_name']).doUpdateSet(changes),
    )
    .execute();
}

/** Names of the ACTIVE clusters after `after` (exclusive), in name order, at most `limit`. */
export async function listActiveClusterNames(
  db: Db,
  scope: ClusterScope,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  let query = db
    .selectFrom('clusters')
    .select('cluster_name')
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('status', '=', 'ACTIVE');
  if (after !== undefined) query = query.where('cluster_name', '>', after);

  const rows = await query.orderBy('cluster_name').limit(limit).execute();
  return rows.map((row) => row.cluster_name);
}

/**
 * Tasks of a cluster that are not STOPPED, or only those whose last status is `state`.
 * DeleteCluster refuses while this is above zero; runningTasksCount and pendingTasksCount
 * come from it.
 */
export async function activeTaskCount(
  db: Db,
  clusterArn: string,
  state?: 'RUNNING' | 'PENDING',
): Promise<number> {
  return countTasks(db, clusterArn, state);
}

function fromRow(row: ClustersTable): ClusterRecord {
  return {
    accountId: row.account_id,
    region: row.region,
    name: row.cluster_name,
    arn: row.cluster_arn,
    status: row.status,
    settings: parse<ClusterSetting[]>(row.settings),
    configuration: parseOptional<ClusterConfiguration>(row.configuration),
    capacityProviders: parse<string[]>(row.capacity_providers),
    defaultCapacityProviderStrategy: parse<CapacityProviderStrategyItem[]>(row.default_strategy),
    serviceConnectDefaults: parseOptional<ClusterServiceConnectDefaults>(
      row.service_connect_defaults,
    ),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toRow(cluster: ClusterRecord): ClustersTable {
  return {
    account_id: cluster.accountId,
    region: cluster.region,
    cluster_name: cluster.name,
    cluster_arn: cluster.arn,
    status: cluster.status,
    settings: JSON.stringify(cluster.settings),
    configuration: cluster.configuration ? JSON.stringify(cluster.configuration) : null,
    capacity_providers: JSON.stringify(cluster.capacityProviders),
    default_strategy: JSON.stringify(cluster.defaultCapacityProviderStrategy),
    service_connect_defaults: cluster.serviceConnectDefaults
      ? JSON.stringify(cluster.serviceConnectDefaults)
      : null,
    created_at: cluster.createdAt.getTime(),
    updated_at: cluster.updatedAt.getTime(),
  };
}

/** JSON this module wrote itself from the typed record, so reading it back as T is sound. */
function parse<T>(text: string): T {
  return JSON.parse(text) as T;
}

function parseOptional<T>(text: string | null): T | undefined {
  return text === null ? undefined : parse<T>(text);
}
