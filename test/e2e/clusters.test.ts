import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  PutAccountSettingCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  paginateListClusters,
  type CreateClusterCommandInput,
} from '@aws-sdk/client-ecs';
import type { Kysely } from 'kysely';
import { findRegion } from '../../src/partitions.js';
import type { OperationContext } from '../../src/services/service.js';
import {
  createCluster,
  deleteCluster,
  describeClusters,
  resolveCluster,
} from '../../src/services/ecs/clusters.js';
import { openSqliteStore } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import { systemClock } from '../../src/util/clock.js';
import { randomIds } from '../../src/util/ids.js';
import { awsCli } from '../support/aws-cli.js';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { TestClusters, uniqueClusterName } from '../support/clusters.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestCredentials, type TestServer } from '../support/fedgate.js';
import { createTestAccount, createTestUser } from '../support/fedgate-cli.js';

const GOV = 'us-gov-west-1';

describe('ECS clusters', () => {
  let server: TestServer;
  let root: ECSClient;
  let clusters: TestClusters;

  before(async () => {
    server = await startTestServer();
    root = client(server.root);
    clusters = new TestClusters(root);
  });
  after(async () => {
    await clusters.cleanUp();
    await server.stop();
  });

  const client = (credentials: TestCredentials, region = GOV) =>
    ecsClient({ endpoint: server.url, credentials, region });
  const createTestCluster = (input: CreateClusterCommandInput = {}, owner = root) =>
    clusters.create(input, owner);
  const describeOne = (cluster: string, owner = root) =>
    owner.send(new DescribeClustersCommand({ clusters: [cluster] }));

  /** The root credentials of a fresh account, which sees nothing of the first one. */
  const otherAccount = async (): Promise<TestCredentials> => {
    const other = await createTestAccount(server.dataDir);
    return { accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey };
  };

  it('creates a cluster and answers it as AWS does, with an ARN of the GovCloud partition', async () => {
    const cluster = await createTestCluster();
    assert.equal(
      cluster.clusterArn,
      `arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:cluster/${cluster.clusterName}`,
    );
    assert.equal(cluster.status, 'ACTIVE');
    assert.deepEqual(
      [
        cluster.registeredContainerInstancesCount,
        cluster.runningTasksCount,
        cluster.pendingTasksCount,
        cluster.activeServicesCount,
      ],
      [0, 0, 0, 0],
    );
    assert.deepEqual(cluster.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.deepEqual(cluster.tags, []);
    assert.deepEqual(cluster.statistics, []);
    assert.deepEqual(cluster.capacityProviders, []);
  });

  it('names a cluster created without a name "default"', async () => {
    const other = client(await otherAccount());
    const out = await other.send(new CreateClusterCommand({}));
    assert.equal(out.cluster?.clusterName, 'default');
    assert.match(out.cluster?.clusterArn ?? '', /:cluster\/default$/);
  });

  it('takes containerInsights from the account setting in force for the caller', async () => {
    const alice = await createTestUser(server.dataDir, 'alice');
    const aliceEcs = client({
      accessKeyId: alice.AccessKeyId,
      secretAccessKey: alice.SecretAccessKey,
    });
    await aliceEcs.send(
      new PutAccountSettingCommand({ name: 'containerInsights', value: 'enhanced' }),
    );

    const own = await createTestCluster({}, aliceEcs);
    const rootDefault = await createTestCluster();
    const explicit = await createTestCluster(
      { settings: [{ name: 'containerInsights', value: 'enabled' }] },
      aliceEcs,
    );
    assert.equal(own.settings?.[0]?.value, 'enhanced');
    assert.equal(rootDefault.settings?.[0]?.value, 'disabled');
    assert.equal(explicit.settings?.[0]?.value, 'enabled');
  });

  it('answers an ACTIVE cluster unchanged when it is created again', async () => {
    const first = await createTestCluster({ tags: [{ key: 'team', value: 'blue' }] });
    const again = await root.send(
      new CreateClusterCommand({
        clusterName: first.clusterName,
        tags: [{ key: 'x', value: 'y' }],
      }),
    );
    assert.equal(again.cluster?.clusterArn, first.clusterArn);
    assert.deepEqual(again.cluster?.tags, [{ key: 'team', value: 'blue' }]);
  });

  it('describes clusters by name and ARN, showing optional parts only when included', async () => {
    const cluster = await createTestCluster({ tags: [{ key: 'team', value: 'red' }] });
    const plain = await root.send(
      new DescribeClustersCommand({ clusters: [cluster.clusterName, cluster.clusterArn] }),
    );
    assert.equal(plain.clusters?.length, 1);
    assert.deepEqual(plain.failures, []);
    const [bare] = plain.clusters ?? [];
    assert.equal(bare?.clusterArn, cluster.clusterArn);
    for (const part of ['settings', 'tags', 'statistics', 'configuration', 'attachments']) {
      assert.equal(part in (bare ?? {}), false, part);
    }

    const full = await root.send(
      new DescribeClustersCommand({
        clusters: [cluster.clusterArn],
        include: ['TAGS', 'SETTINGS', 'STATISTICS', 'ATTACHMENTS', 'CONFIGURATIONS'],
      }),
    );
    const [detailed] = full.clusters ?? [];
    assert.deepEqual(detailed?.tags, [{ key: 'team', value: 'red' }]);
    assert.deepEqual(detailed?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.equal(detailed?.statistics?.length, 8);
    assert.ok(detailed?.statistics?.every((s) => s.value === '0'));
    assert.deepEqual(detailed?.attachments, []);
  });

  it('reports clusters that do not exist as failures with reason MISSING', async () => {
    const other = client(await otherAccount());
    const fresh = await other.send(new DescribeClustersCommand({}));
    assert.deepEqual(fresh.clusters, []);
    assert.equal(fresh.failures?.[0]?.reason, 'MISSING');
    assert.match(fresh.failures?.[0]?.arn ?? '', /:cluster\/default$/);

    const ghost = `arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:cluster/ghost`;
    const out = await root.send(new DescribeClustersCommand({ clusters: ['nope', ghost] }));
    assert.deepEqual(
      out.failures?.map((f) => [f.arn, f.reason]),
      [
        [`arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:cluster/nope`, 'MISSING'],
        [ghost, 'MISSING'],
      ],
    );
  });

  it('lists ACTIVE clusters a page at a time, without repeats', async () => {
    const west = client(await otherAccount(), 'us-west-2');
    const names = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e'];
    for (const clusterName of names) await west.send(new CreateClusterCommand({ clusterName }));

    const first = await west.send(new ListClustersCommand({ maxResults: 2 }));
    assert.equal(first.clusterArns?.length, 2);
    assert.ok(first.nextToken);

    const all: string[] = [];
    for await (const page of paginateListClusters({ client: west, pageSize: 2 }, {})) {
      all.push(...(page.clusterArns ?? []));
    }
    assert.deepEqual(
      all.map((arn) => arn.split('/')[1]),
      names,
    );
    assert.ok(all.every((arn) => arn.startsWith('arn:aws:ecs:us-west-2:')));
  });

  it('returns InvalidParameterException when maxResults is out of range', async () => {
    for (const maxResults of [0, 101]) {
      await rejectsWith(
        root.send(new ListClustersCommand({ maxResults })),
        'InvalidParameterException',
      );
    }
  });

  it('returns InvalidParameterException when a nextToken comes from another region or is forged', async () => {
    await createTestCluster();
    await createTestCluster();
    const page = await root.send(new ListClustersCommand({ maxResults: 1 }));
    const east = client(server.root, 'us-gov-east-1');
    await rejectsWith(
      east.send(new ListClustersCommand({ nextToken: page.nextToken })),
      'InvalidParameterException',
    );
    await rejectsWith(
      root.send(new ListClustersCommand({ nextToken: 'bm90LWEtdG9rZW4' })),
      'InvalidParameterException',
    );
  });

  it('deletes a cluster, which stays describable as INACTIVE and leaves the list', async () => {
    const cluster = await createTestCluster({ tags: [{ key: 'k', value: 'v' }] });
    const out = await root.send(new DeleteClusterCommand({ cluster: cluster.clusterName }));
    assert.equal(out.cluster?.status, 'INACTIVE');
    assert.deepEqual(out.cluster?.tags, []);

    const described = await describeOne(cluster.clusterArn);
    assert.equal(described.clusters?.[0]?.status, 'INACTIVE');
    const listed = await root.send(new ListClustersCommand({}));
    assert.equal(listed.clusterArns?.includes(cluster.clusterArn), false);
  });

  it('creates a deleted cluster afresh under the same ARN', async () => {
    const cluster = await createTestCluster({ tags: [{ key: 'old', value: '1' }] });
    await root.send(new DeleteClusterCommand({ cluster: cluster.clusterArn }));
    const again = await root.send(new CreateClusterCommand({ clusterName: cluster.clusterName }));
    assert.equal(again.cluster?.clusterArn, cluster.clusterArn);
    assert.equal(again.cluster?.status, 'ACTIVE');
    assert.deepEqual(again.cluster?.tags, []);
  });

  it('returns ClusterNotFoundException when deleting or updating a missing or deleted cluster', async () => {
    const message = await rejectsWith(
      root.send(new DeleteClusterCommand({ cluster: 'never-made' })),
      'ClusterNotFoundException',
    );
    assert.equal(message, 'Cluster not found.');

    const cluster = await createTestCluster();
    await root.send(new DeleteClusterCommand({ cluster: cluster.clusterName }));
    const settings = [{ name: 'containerInsights' as const, value: 'enabled' }];
    for (const command of [
      new DeleteClusterCommand({ cluster: cluster.clusterName }),
      new UpdateClusterSettingsCommand({ cluster: cluster.clusterArn, settings }),
    ]) {
      await rejectsWith(root.send(command as DeleteClusterCommand), 'ClusterNotFoundException');
    }
  });

  it('updates settings and configuration with UpdateCluster and UpdateClusterSettings', async () => {
    const cluster = await createTestCluster();
    const settings = await root.send(
      new UpdateClusterSettingsCommand({
        cluster: cluster.clusterName,
        settings: [{ name: 'containerInsights', value: 'enhanced' }],
      }),
    );
    assert.deepEqual(settings.cluster?.settings, [
      { name: 'containerInsights', value: 'enhanced' },
    ]);

    const configuration = { executeCommandConfiguration: { logging: 'DEFAULT' as const } };
    const updated = await root.send(
      new UpdateClusterCommand({ cluster: cluster.clusterArn, configuration }),
    );
    assert.deepEqual(updated.cluster?.configuration, configuration);
    const described = await root.send(
      new DescribeClustersCommand({ clusters: [cluster.clusterArn], include: ['CONFIGURATIONS'] }),
    );
    assert.deepEqual(described.clusters?.[0]?.configuration, configuration);
  });

  it('returns InvalidParameterException when a cluster name breaks AWS rules', async () => {
    for (const clusterName of ['has space', 'dot.ted', 'x'.repeat(256), '']) {
      const message = await rejectsWith(
        root.send(new CreateClusterCommand({ clusterName })),
        'InvalidParameterException',
      );
      assert.match(message, /must match \^\[a-zA-Z0-9\\-_\]\{1,255\}\$/, clusterName);
    }
    await rejectsWith(
      root.send(new DeleteClusterCommand({ cluster: 'bad/name' })),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when a setting value is not one containerInsights takes', async () => {
    await rejectsWith(
      root.send(
        new CreateClusterCommand({
          clusterName: uniqueClusterName(),
          settings: [{ name: 'containerInsights', value: 'on' }],
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('keeps Fargate capacity providers and the default strategy', async () => {
    const strategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }];
    const cluster = await createTestCluster({
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: strategy,
    });
    assert.deepEqual(cluster.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    assert.deepEqual(cluster.defaultCapacityProviderStrategy, strategy);
  });

  it('returns InvalidParameterException when a capacity provider is unknown or not associated', async () => {
    for (const input of [
      { capacityProviders: ['my-asg'] },
      { defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
    ]) {
      await rejectsWith(
        root.send(new CreateClusterCommand({ clusterName: uniqueClusterName(), ...input })),
        'InvalidParameterException',
      );
    }
  });

  it('keeps clusters per account and per region', async () => {
    const cluster = await createTestCluster();
    const other = client(await otherAccount());
    const east = client(server.root, 'us-gov-east-1');

    for (const outsider of [other, east]) {
      const out = await describeOne(cluster.clusterArn, outsider);
      assert.deepEqual(out.failures?.[0]?.reason, 'MISSING');
      const listed = await outsider.send(new ListClustersCommand({}));
      assert.equal(listed.clusterArns?.includes(cluster.clusterArn), false);
      await rejectsWith(
        outsider.send(new DeleteClusterCommand({ cluster: cluster.clusterArn })),
        'ClusterNotFoundException',
      );
    }
    assert.equal((await describeOne(cluster.clusterArn)).clusters?.[0]?.status, 'ACTIVE');
  });

  it('names the cluster in the CloudTrail event of CreateCluster', async () => {
    const cluster = await createTestCluster();
    const trail = cloudTrailClient({ endpoint: server.url, credentials: server.root, region: GOV });
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::ECS::Cluster' }],
      }),
    );
    const event = out.Events?.find(
      (e) =>
        e.EventName === 'CreateCluster' && e.Resources?.[0]?.ResourceName === cluster.clusterArn,
    );
    assert.deepEqual(event?.Resources, [
      { ResourceType: 'AWS::ECS::Cluster', ResourceName: cluster.clusterArn },
    ]);
  });

  it('serves the AWS CLI: create, describe with include, list and delete', async () => {
    const name = uniqueClusterName('cli');
    const cli = (args: string[]) => awsCli(server.url, server.root, GOV, ['ecs', ...args]);

    const createdOut = await cli([
      'create-cluster',
      '--cluster-name',
      name,
      '--tags',
      'key=a,value=b',
    ]);
    assert.equal(createdOut.code, 0, createdOut.stderr);
    const arn = (JSON.parse(createdOut.stdout) as { cluster: { clusterArn: string } }).cluster
      .clusterArn;

    const described = await cli(['describe-clusters', '--clusters', name, '--include', 'TAGS']);
    const clusters = (JSON.parse(described.stdout) as { clusters: { tags: unknown }[] }).clusters;
    assert.deepEqual(clusters[0]?.tags, [{ key: 'a', value: 'b' }]);

    const listed = await cli(['list-clusters']);
    assert.ok((JSON.parse(listed.stdout) as { clusterArns: string[] }).clusterArns.includes(arn));

    const deleted = await cli(['delete-cluster', '--cluster', arn]);
    assert.equal(
      (JSON.parse(deleted.stdout) as { cluster: { status: string } }).cluster.status,
      'INACTIVE',
    );

    const missing = await cli(['delete-cluster', '--cluster', 'never-made']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ClusterNotFoundException/);
  });
});

describe('resolveCluster, which operations that run in a cluster call', () => {
  let db: Kysely<Database>;
  before(async () => {
    db = await openSqliteStore(':memory:');
  });
  after(() => db.destroy());

  /** An operation's context as the gateway makes it, for one account in us-gov-west-1. */
  const context = (accountId = '123456789012'): OperationContext => {
    const region = findRegion(GOV);
    if (!region) throw new Error(`fedgate should serve ${GOV}`);
    const principal = { type: 'Root' as const, accountId, accessKeyId: 'AKIAEXAMPLEEXAMPLE00' };
    const shared = { takeToken: () => true, lookupEventsRate: 2 };
    return {
      requestId: 'r',
      principal,
      region,
      db,
      clock: systemClock,
      ids: randomIds,
      resources: [],
      shared,
    };
  };

  it('creates the default cluster on first use and names it in the CloudTrail record', async () => {
    const ctx = context();
    const cluster = await resolveCluster(ctx, undefined);
    assert.equal(cluster.arn, `arn:aws-us-gov:ecs:${GOV}:123456789012:cluster/default`);
    assert.equal(cluster.status, 'ACTIVE');
    assert.deepEqual(ctx.resources, [
      { type: 'AWS::ECS::Cluster', name: cluster.arn, arn: cluster.arn },
    ]);

    const again = await resolveCluster(context(), 'default');
    assert.equal(again.createdAt.getTime(), cluster.createdAt.getTime());
    const described = await describeClusters(context(), {});
    assert.equal(described.clusters?.[0]?.clusterArn, cluster.arn);
  });

  it('creates the default cluster again after it was deleted', async () => {
    await deleteCluster(context(), { cluster: 'default' });
    const cluster = await resolveCluster(
      context(),
      `arn:aws-us-gov:ecs:${GOV}:123456789012:cluster/default`,
    );
    assert.equal(cluster.status, 'ACTIVE');
  });

  it('returns ClusterNotFoundException for any other cluster that does not exist', async () => {
    await assert.rejects(resolveCluster(context(), 'blue'), { name: 'ClusterNotFoundException' });
    await createCluster(context('210987654321'), { clusterName: 'blue' });
    await assert.rejects(resolveCluster(context(), 'blue'), { name: 'ClusterNotFoundException' });
    const blue = await resolveCluster(context('210987654321'), 'blue');
    assert.equal(blue.name, 'blue');
  });
});
