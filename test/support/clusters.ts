import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  type Cluster,
  type CreateClusterCommandInput,
  type ECSClient,
} from '@aws-sdk/client-ecs';

/** A cluster name no other test uses. */
export function uniqueClusterName(prefix = 'c'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A cluster CreateCluster answered, with the members every cluster has. */
export type TestCluster = Cluster & { clusterArn: string; clusterName: string };

/**
 * The one cluster builder of the suite: random names, and every cluster it made deleted by
 * `cleanUp()` (call it in `after`), so tests leave nothing behind even when they fail.
 */
export class TestClusters {
  private readonly made: { client: ECSClient; arn: string }[] = [];

  constructor(private readonly defaultClient: ECSClient) {}

  /** Creates a cluster with a random name, or as `input` says, as `client`'s principal. */
  async create(
    input: CreateClusterCommandInput = {},
    client = this.defaultClient,
  ): Promise<TestCluster> {
    const out = await client.send(
      new CreateClusterCommand({ clusterName: uniqueClusterName(), ...input }),
    );
    const cluster = out.cluster;
    assert.ok(cluster?.clusterArn && cluster.clusterName, 'CreateCluster answered no cluster');

    this.made.push({ client, arn: cluster.clusterArn });
    return { ...cluster, clusterArn: cluster.clusterArn, clusterName: cluster.clusterName };
  }

  /** Deletes every cluster made; one a test already deleted is skipped. */
  async cleanUp(): Promise<void> {
    for (const { client, arn } of this.made.splice(0)) {
      await client.send(new DeleteClusterCommand({ cluster: arn })).catch(() => undefined);
    }
  }
}
