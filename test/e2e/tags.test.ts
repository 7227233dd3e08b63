import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from '@aws-sdk/client-ecs';
import { awsCli } from '../support/aws-cli.js';
import { ecsClient } from '../support/clients.js';
import { TestClusters } from '../support/clusters.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestCredentials, type TestServer } from '../support/fedgate.js';
import { createTestAccount } from '../support/fedgate-cli.js';

const GOV = 'us-gov-west-1';

/** `count` tags named `<prefix>0`, `<prefix>1`, … */
const manyTags = (count: number, prefix = 'k'): Tag[] =>
  Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

describe('ECS tags (TagResource, UntagResource, ListTagsForResource)', () => {
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
  const tagsOf = async (resourceArn: string, owner = root) =>
    (await owner.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
  const tag = (resourceArn: string, tags: Tag[], owner = root) =>
    owner.send(new TagResourceCommand({ resourceArn, tags }));

  it('lists the tags a cluster was created with, in their order', async () => {
    const tags = [
      { key: 'team', value: 'blue' },
      { key: 'env', value: 'dev' },
    ];
    const cluster = await clusters.create({ tags });
    assert.deepEqual(await tagsOf(cluster.clusterArn), tags);
  });

  it('adds tags and changes values in place, leaving other tags alone', async () => {
    const cluster = await clusters.create({ tags: [{ key: 'a', value: '1' }] });
    await tag(cluster.clusterArn, [
      { key: 'b', value: '2' },
      { key: 'a', value: 'changed' },
    ]);
    await tag(cluster.clusterArn, [{ key: 'empty', value: '' }]);
    assert.deepEqual(await tagsOf(cluster.clusterArn), [
      { key: 'a', value: 'changed' },
      { key: 'b', value: '2' },
      { key: 'empty', value: '' },
    ]);

    const described = await root.send(
      new DescribeClustersCommand({ clusters: [cluster.clusterArn], include: ['TAGS'] }),
    );
    assert.equal(described.clusters?.[0]?.tags?.length, 3);
  });

  it('removes tags by key, ignoring keys the resource does not have', async () => {
    const cluster = await clusters.create({ tags: manyTags(3) });
    await root.send(
      new UntagResourceCommand({ resourceArn: cluster.clusterArn, tagKeys: ['k1', 'nope'] }),
    );
    assert.deepEqual(
      (await tagsOf(cluster.clusterArn))?.map((t) => t.key),
      ['k0', 'k2'],
    );
  });

  it('deletes the tags of a deleted cluster, so a cluster created again starts without them', async () => {
    const cluster = await clusters.create({ tags: manyTags(2) });
    await root.send(new DeleteClusterCommand({ cluster: cluster.clusterArn }));
    const again = await clusters.create({ clusterName: cluster.clusterName });
    assert.deepEqual(await tagsOf(again.clusterArn), []);
  });

  it('returns InvalidParameterException when a tag key starts with aws: in any case', async () => {
    const cluster = await clusters.create();
    for (const key of ['aws:owner', 'AWS:owner', 'Aws:x']) {
      const message = await rejectsWith(
        tag(cluster.clusterArn, [{ key, value: 'v' }]),
        'InvalidParameterException',
      );
      assert.match(message, /reserved/);
    }
    await rejectsWith(
      root.send(
        new UntagResourceCommand({ resourceArn: cluster.clusterArn, tagKeys: ['aws:owner'] }),
      ),
      'InvalidParameterException',
    );
    await rejectsWith(
      clusters.create({ tags: [{ key: 'aws:created', value: 'x' }] }),
      'InvalidParameterException',
    );
  });

  it('returns InvalidParameterException when a key or value is too long, or a key is missing', async () => {
    const cluster = await clusters.create();
    for (const tags of [
      [{ key: 'k'.repeat(129), value: 'v' }],
      [{ key: 'k', value: 'v'.repeat(257) }],
      [{ key: '', value: 'v' }],
      [{ value: 'v' }],
    ]) {
      await rejectsWith(tag(cluster.clusterArn, tags), 'InvalidParameterException');
    }
    await tag(cluster.clusterArn, [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }]);
    assert.equal((await tagsOf(cluster.clusterArn))?.length, 1);
  });

  it('returns InvalidParameterException when one request names a key twice', async () => {
    const cluster = await clusters.create();
    await rejectsWith(
      tag(cluster.clusterArn, [
        { key: 'k', value: '1' },
        { key: 'k', value: '2' },
      ]),
      'InvalidParameterException',
    );
  });

  it('returns LimitExceededException when a resource would have more than 50 tags', async () => {
    const cluster = await clusters.create({ tags: manyTags(50) });
    await rejectsWith(
      tag(cluster.clusterArn, [{ key: 'one-more', value: 'v' }]),
      'LimitExceededException',
    );
    // Changing the value of a tag it has already adds none.
    await tag(cluster.clusterArn, [{ key: 'k7', value: 'new' }]);
    assert.equal((await tagsOf(cluster.clusterArn))?.length, 50);
    await rejectsWith(tag(cluster.clusterArn, manyTags(51)), 'InvalidParameterException');
  });

  it('returns ClusterNotFoundException when the cluster does not exist', async () => {
    const ghost = `arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:cluster/ghost`;
    await rejectsWith(tag(ghost, manyTags(1)), 'ClusterNotFoundException');
    await rejectsWith(
      root.send(new ListTagsForResourceCommand({ resourceArn: ghost })),
      'ClusterNotFoundException',
    );
    await rejectsWith(
      root.send(new UntagResourceCommand({ resourceArn: ghost, tagKeys: ['k'] })),
      'ClusterNotFoundException',
    );
  });

  it('returns InvalidParameterException when the cluster is INACTIVE', async () => {
    const cluster = await clusters.create();
    await root.send(new DeleteClusterCommand({ cluster: cluster.clusterArn }));
    const message = await rejectsWith(
      root.send(new ListTagsForResourceCommand({ resourceArn: cluster.clusterArn })),
      'InvalidParameterException',
    );
    assert.equal(
      message,
      'The specified cluster is inactive. Specify an active cluster and try again.',
    );
    await rejectsWith(tag(cluster.clusterArn, manyTags(1)), 'InvalidParameterException');
  });

  it('returns InvalidParameterException when the ARN is not an ECS ARN or names a type fedgate does not tag', async () => {
    const account = server.root.accountId;
    for (const resourceArn of [
      'not-an-arn',
      'arn:aws-us-gov:s3:::bucket',
      `arn:aws-us-gov:ecs:${GOV}:${account}:service/default/web`,
    ]) {
      await rejectsWith(tag(resourceArn, manyTags(1)), 'InvalidParameterException');
    }
  });

  it("returns ClusterNotFoundException for another account's or another region's cluster", async () => {
    const cluster = await clusters.create({ tags: manyTags(1) });
    const other = await createTestAccount(server.dataDir);
    const otherRoot = client({
      accessKeyId: other.AccessKeyId,
      secretAccessKey: other.SecretAccessKey,
    });
    const east = client(server.root, 'us-gov-east-1');

    for (const outsider of [otherRoot, east]) {
      await rejectsWith(tagsOf(cluster.clusterArn, outsider), 'ClusterNotFoundException');
      await rejectsWith(
        tag(cluster.clusterArn, manyTags(1, 'x'), outsider),
        'ClusterNotFoundException',
      );
    }
    assert.deepEqual(await tagsOf(cluster.clusterArn), manyTags(1));
  });

  it('serves the AWS CLI: tag-resource, untag-resource and list-tags-for-resource', async () => {
    const cluster = await clusters.create();
    const cli = (args: string[]) => awsCli(server.url, server.root, GOV, ['ecs', ...args]);
    const arn = ['--resource-arn', cluster.clusterArn];

    const tagged = await cli(['tag-resource', ...arn, '--tags', 'key=a,value=1', 'key=b,value=2']);
    assert.equal(tagged.code, 0, tagged.stderr);
    await cli(['untag-resource', ...arn, '--tag-keys', 'a']);
    const listed = await cli(['list-tags-for-resource', ...arn]);
    assert.deepEqual(JSON.parse(listed.stdout), { tags: [{ key: 'b', value: '2' }] });

    const reserved = await cli(['tag-resource', ...arn, '--tags', 'key=aws:x,value=1']);
    assert.notEqual(reserved.code, 0);
    assert.match(reserved.stderr, /InvalidParameterException/);
  });
});
