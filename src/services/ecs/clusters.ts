import { principalKey } from '../../auth/principal.js';
import type {
  CapacityProviderStrategyItem,
  Cluster,
  ClusterField,
  ClusterServiceConnectDefaultsRequest,
  ClusterSetting,
  CreateClusterRequest,
  CreateClusterResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  Failure,
  KeyValuePair,
  ListClustersRequest,
  ListClustersResponse,
  UpdateClusterRequest,
  UpdateClusterResponse,
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse,
} from '../../model/generated/ecs.js';
import type { OperationContext } from '../service.js';
import { readSettings } from './account-settings-store.js';
import { clusterArn, isOwnArn, noteCluster, parseEcsArn } from './arns.js';
import {
  activeTaskCount,
  findCluster,
  listActiveClusterNames,
  saveCluster,
  type ClusterRecord,
  type ClusterScope,
} from './clusters-store.js';
import {
  ClusterContainsTasksException,
  ClusterNotFoundException,
  InvalidParameterException,
} from './errors.js';
import { pageLimit, pageOf, readPageToken } from './page-tokens.js';
import { SETTING_RULES } from './setting-rules.js';
import { addTags } from './tags.js';
import { deleteTags, readTags } from './tags-store.js';

export type { ClusterRecord } from './clusters-store.js';

/** The cluster a call without one uses, created on first use as AWS does. */
export const DEFAULT_CLUSTER = 'default';

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const NAME_RULE = String.raw`^[a-zA-Z0-9\-_]{1,255}$`;

/** The capacity providers every account has; fedgate serves no others (it runs only Fargate). */
const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

/** CreateCluster, UpdateCluster and DeleteCluster answer with these parts (AWS's examples). */
const WRITE_VIEW: ReadonlySet<ClusterField> = new Set(['CONFIGURATIONS', 'SETTINGS', 'TAGS']);

/**
 * CreateCluster: a new ACTIVE cluster. Creating a cluster that is already ACTIVE answers it
 * unchanged, as AWS does; creating one that was deleted (INACTIVE) starts it afresh under the
 * same ARN.
 */
export async function createCluster(
  ctx: OperationContext,
  input: CreateClusterRequest,
): Promise<CreateClusterResponse> {
  const name = input.clusterName ?? DEFAULT_CLUSTER;
  if (!CLUSTER_NAME.test(name)) {
    throw new InvalidParameterException(`Cluster name must match ${NAME_RULE}, but was ${name}`);
  }

  const existing = await findCluster(ctx.db, scopeOf(ctx), name);
  if (existing?.status === 'ACTIVE') {
    noteCluster(ctx, existing.arn);
    return { cluster: await writeView(ctx, existing) };
  }

  const cluster = await newCluster(ctx, name, input);
  await saveCluster(ctx.db, cluster);
  await addTags(ctx.db, cluster.arn, input.tags ?? []);
  noteCluster(ctx, cluster.arn);
  return { cluster: await writeView(ctx, cluster) };
}

/**
 * DescribeClusters: clusters by name or ARN (`default` when none is named), ACTIVE or
 * INACTIVE. One that does not exist, or is not the caller's, is a `MISSING` failure.
 * Settings, configuration, tags, statistics and attachments appear only when included.
 */
export async function describeClusters(
  ctx: OperationContext,
  input: DescribeClustersRequest,
): Promise<DescribeClustersResponse> {
  const identifiers = input.clusters?.length ? input.clusters : [DEFAULT_CLUSTER];
  if (identifiers.length > 100) {
    throw new InvalidParameterException('At most 100 clusters can be described at once.');
  }
  const include = new Set(input.include ?? []);

  const clusters: Cluster[] = [];
  const failures: Failure[] = [];
  // A cluster named twice (say by name and by ARN) is answered once.
  const refs = identifiers.map((identifier) => clusterRef(ctx, identifier));
  const unique = new Map(refs.map((ref) => [ref.name ?? ref.arn, ref]));
  for (const ref of unique.values()) {
    const found =
      ref.name === undefined ? undefined : await findCluster(ctx.db, scopeOf(ctx), ref.name);
    if (!found) {
      failures.push({ arn: ref.arn, reason: 'MISSING' });
      continue;
    }
    noteCluster(ctx, found.arn);
    clusters.push(await view(ctx, found, include));
  }
  return { clusters, failures };
}

/** ListClusters: ARNs of the ACTIVE clusters in name order, up to 100 a page. */
export async function listClusters(
  ctx: OperationContext,
  input: ListClustersRequest,
): Promise<ListClustersResponse> {
  const limit = pageLimit(input.maxResults);
  // ListClusters has no filters: a token is bound to the account and region that made it.
  const query = { operation: 'ListClusters', ...scopeOf(ctx) };
  const after = input.nextToken && readPageToken(input.nextToken, query, isString);

  const names = await listActiveClusterNames(ctx.db, scopeOf(ctx), after, limit + 1);
  const page = pageOf(names, limit, query);
  return {
    clusterArns: page.items.map((name) => clusterArn(ctx, name)),
    nextToken: page.nextToken,
  };
}

/**
 * DeleteCluster: the cluster becomes INACTIVE and loses its tags (AWS deletes a resource's
 * tags with it); it stays describable. Refused while it has tasks that are not stopped.
 */
export async function deleteCluster(
  ctx: OperationContext,
  input: DeleteClusterRequest,
): Promise<DeleteClusterResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  if ((await activeTaskCount(ctx.db, cluster.arn)) > 0) throw new ClusterContainsTasksException();

  const deleted: ClusterRecord = { ...cluster, status: 'INACTIVE', updatedAt: ctx.clock.now() };
  await saveCluster(ctx.db, deleted);
  await deleteTags(ctx.db, cluster.arn);
  return { cluster: await writeView(ctx, deleted) };
}

/**
 * UpdateCluster: changes settings (by name), configuration (each member given replaces the
 * stored one) and the Service Connect namespace (an empty one removes it, as AWS documents).
 */
export async function updateCluster(
  ctx: OperationContext,
  input: UpdateClusterRequest,
): Promise<UpdateClusterResponse> {
  return changeCluster(ctx, input.cluster, (cluster) => ({
    settings: mergeSettings(cluster.settings, input.settings),
    configuration: input.configuration
      ? { ...cluster.configuration, ...input.configuration }
      : cluster.configuration,
    serviceConnectDefaults: input.serviceConnectDefaults
      ? serviceConnect(input.serviceConnectDefaults)
      : cluster.serviceConnectDefaults,
  }));
}

/** UpdateClusterSettings: changes the cluster's settings by name. */
export async function updateClusterSettings(
  ctx: OperationContext,
  input: UpdateClusterSettingsRequest,
): Promise<UpdateClusterSettingsResponse> {
  return changeCluster(ctx, input.cluster, (cluster) => ({
    settings: mergeSettings(cluster.settings, input.settings),
  }));
}

/** Applies a change to an ACTIVE cluster and answers it as the write operations do. */
async function changeCluster(
  ctx: OperationContext,
  identifier: string,
  change: (cluster: ClusterRecord) => Partial<ClusterRecord>,
): Promise<{ cluster: Cluster }> {
  const cluster = await activeCluster(ctx, identifier);

  const updated: ClusterRecord = { ...cluster, ...change(cluster), updatedAt: ctx.clock.now() };
  await saveCluster(ctx.db, updated);
  return { cluster: await writeView(ctx, updated) };
}

/**
 * The ACTIVE cluster an operation that runs in a cluster (RunTask, ListTasks, …) names by
 * name or ARN. Without one, or with `default`, it is the default cluster, which is created
 * on first use as AWS creates it; any other cluster must exist
 * (ClusterNotFoundException otherwise). Names the cluster in the call's CloudTrail record.
 */
export async function resolveCluster(
  ctx: OperationContext,
  clusterNameOrArn: string | undefined,
): Promise<ClusterRecord> {
  const identifier = clusterNameOrArn ?? DEFAULT_CLUSTER;
  checkIdentifier(identifier);
  if (clusterRef(ctx, identifier).name !== DEFAULT_CLUSTER) return activeCluster(ctx, identifier);

  const existing = await findCluster(ctx.db, scopeOf(ctx), DEFAULT_CLUSTER);
  const cluster =
    existing?.status === 'ACTIVE' ? existing : await newCluster(ctx, DEFAULT_CLUSTER, {});
  if (cluster !== existing) await saveCluster(ctx.db, cluster);
  noteCluster(ctx, cluster.arn);
  return cluster;
}

/** What an identifier names: a cluster name of the caller's, or nothing (`name` undefined). */
interface ClusterRef {
  readonly name?: string;
  /** The ARN a failure reports: the one given, or the one the name would have. */
  readonly arn: string;
}

function clusterRef(ctx: OperationContext, identifier: string): ClusterRef {
  if (!identifier.startsWith('arn:')) {
    const valid = CLUSTER_NAME.test(identifier);
    return valid ? { name: identifier, arn: clusterArn(ctx, identifier) } : { arn: identifier };
  }
  const arn = parseEcsArn(identifier);
  const ours = arn?.resourceType === 'cluster' && isOwnArn(ctx, arn);
  return ours && CLUSTER_NAME.test(arn.resourceId)
    ? { name: arn.resourceId, arn: identifier }
    : { arn: identifier };
}

/** A name that could never be a cluster's is refused the way AWS refuses it. */
function checkIdentifier(identifier: string): void {
  if (identifier.startsWith('arn:') || CLUSTER_NAME.test(identifier)) return;
  throw new InvalidParameterException(`Cluster must match ${NAME_RULE}, but was ${identifier}`);
}

/**
 * The ACTIVE cluster an operation names. An INACTIVE one gets ClusterNotFoundException with
 * the text AWS gives it ("The referenced cluster was inactive.").
 */
async function activeCluster(ctx: OperationContext, identifier: string): Promise<ClusterRecord> {
  checkIdentifier(identifier);
  const { name } = clusterRef(ctx, identifier);
  const cluster = name === undefined ? undefined : await findCluster(ctx.db, scopeOf(ctx), name);
  if (!cluster) throw new ClusterNotFoundException();

  noteCluster(ctx, cluster.arn);
  if (cluster.status !== 'ACTIVE') {
    throw new ClusterNotFoundException('The referenced cluster was inactive.');
  }
  return cluster;
}

async function newCluster(
  ctx: OperationContext,
  name: string,
  input: CreateClusterRequest,
): Promise<ClusterRecord> {
  const insights = { name: 'containerInsights' as const, value: await accountInsights(ctx) };
  const capacityProviders = input.capacityProviders ?? [];
  const strategy = input.defaultCapacityProviderStrategy ?? [];
  checkCapacityProviders(capacityProviders, strategy);

  const now = ctx.clock.now();
  return {
    ...scopeOf(ctx),
    name,
    arn: clusterArn(ctx, name),
    status: 'ACTIVE',
    settings: mergeSettings([insights], input.settings),
    configuration: input.configuration,
    capacityProviders,
    defaultCapacityProviderStrategy: strategy,
    serviceConnectDefaults: input.serviceConnectDefaults
      ? serviceConnect(input.serviceConnectDefaults)
      : undefined,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The containerInsights account setting in force for the caller: its own, else the account
 * default, else AWS's default. A cluster created without the setting takes this value.
 */
async function accountInsights(ctx: OperationContext): Promise<string> {
  const scope = { accountId: ctx.principal.accountId, region: ctx.region.name };
  const own = await readSettings(ctx.db, { ...scope, principal: principalKey(ctx.principal) });
  const defaults = await readSettings(ctx.db, { ...scope, principal: 'root' });

  const name = 'containerInsights';
  return own.get(name) ?? defaults.get(name) ?? SETTING_RULES[name].defaultValue;
}

/** Settings with changes applied by name; a value must be one containerInsights takes. */
function mergeSettings(
  current: ClusterSetting[],
  changes: ClusterSetting[] = [],
): ClusterSetting[] {
  const merged = new Map(current.map((setting) => [setting.name, setting.value]));
  const allowed = SETTING_RULES.containerInsights.values;

  for (const { name, value } of changes) {
    if (name === undefined || value === undefined || !allowed.includes(value)) {
      throw new InvalidParameterException(
        `Invalid cluster setting: containerInsights takes ${allowed.join(', ')}.`,
      );
    }
    merged.set(name, value);
  }
  return [...merged].map(([name, value]) => ({ name, value }));
}

/**
 * Fargate's two capacity providers are the only ones fedgate has; a default strategy may only
 * use providers associated with the cluster, and only one of them may have a base.
 */
function checkCapacityProviders(providers: string[], strategy: CapacityProviderStrategyItem[]) {
  const unknown = providers.find((provider) => !FARGATE_PROVIDERS.includes(provider));
  if (unknown !== undefined) {
    throw new InvalidParameterException(
      `The specified capacity provider '${unknown}' does not exist. Specify a valid capacity provider and try again.`,
    );
  }
  if (strategy.some((item) => !providers.includes(item.capacityProvider))) {
    throw new InvalidParameterException(
      'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
    );
  }
  if (strategy.filter((item) => (item.base ?? 0) > 0).length > 1) {
    throw new InvalidParameterException(
      'Only one capacity provider in a capacity provider strategy can have a base defined.',
    );
  }
}

/** fedgate has no Cloud Map: the namespace is kept as given; an empty one removes it. */
function serviceConnect(request: ClusterServiceConnectDefaultsRequest) {
  return request.namespace === '' ? undefined : { namespace: request.namespace };
}

/** A cluster as CreateCluster, UpdateCluster and DeleteCluster answer it. */
async function writeView(ctx: OperationContext, cluster: ClusterRecord): Promise<Cluster> {
  return { ...(await view(ctx, cluster, WRITE_VIEW)), statistics: [] };
}

/** A cluster as the API shows it, with the optional parts `include` asks for. */
async function view(
  ctx: OperationContext,
  cluster: ClusterRecord,
  include: ReadonlySet<ClusterField>,
): Promise<Cluster> {
  const running = await activeTaskCount(ctx.db, cluster.arn, 'RUNNING');
  const pending = await activeTaskCount(ctx.db, cluster.arn, 'PENDING');

  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    configuration: include.has('CONFIGURATIONS') ? cluster.configuration : undefined,
    status: cluster.status,
    // Fargate has no container instances, and fedgate has no services yet.
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: 0,
    statistics: include.has('STATISTICS') ? statistics(running, pending) : undefined,
    tags: include.has('TAGS') ? await readTags(ctx.db, cluster.arn) : undefined,
    settings: include.has('SETTINGS') ? cluster.settings : undefined,
    capacityProviders: cluster.capacityProviders,
    defaultCapacityProviderStrategy: cluster.defaultCapacityProviderStrategy,
    // Fargate's providers have no Auto Scaling groups, so there is nothing to attach.
    attachments: include.has('ATTACHMENTS') ? [] : undefined,
    attachmentsStatus: cluster.capacityProviders.length > 0 ? 'UPDATE_COMPLETE' : undefined,
    serviceConnectDefaults: cluster.serviceConnectDefaults,
  };
}

/** The counts by launch type that AWS documents for STATISTICS; every task is a Fargate one. */
function statistics(running: number, pending: number): KeyValuePair[] {
  const counts: [string, number][] = [
    ['runningEC2TasksCount', 0],
    ['runningFargateTasksCount', running],
    ['pendingEC2TasksCount', 0],
    ['pendingFargateTasksCount', pending],
    ['activeEC2ServiceCount', 0],
    ['activeFargateServiceCount', 0],
    ['drainingEC2ServiceCount', 0],
    ['drainingFargateServiceCount', 0],
  ];
  return counts.map(([name, value]) => ({ name, value: String(value) }));
}

function scopeOf(ctx: OperationContext): ClusterScope {
  return { accountId: ctx.principal.accountId, region: ctx.region.name };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
