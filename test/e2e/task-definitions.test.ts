import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  paginateListTaskDefinitionFamilies,
  paginateListTaskDefinitions,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { createTestAccount } from '../support/fedgate-cli.js';
import { fargateTaskDefinition, uniqueFamily } from '../support/task-definitions.js';

const GOV = 'us-gov-west-1';

describe('ECS task definitions', () => {
  let server: TestServer;
  let ecs: ECSClient;

  before(async () => {
    server = await startTestServer();
    ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: GOV });
  });
  after(() => server.stop());

  const register = async (input: RegisterTaskDefinitionCommandInput, client = ecs) => {
    const out = await client.send(new RegisterTaskDefinitionCommand(input));
    assert.ok(out.taskDefinition);
    return out.taskDefinition;
  };
  const describeArn = async (taskDefinition: string) =>
    (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition;
  const arnFor = (family: string, revision: number) =>
    `arn:aws-us-gov:ecs:${GOV}:${server.root.accountId}:task-definition/${family}:${revision}`;

  it('registers a minimal Fargate busybox definition and answers as AWS does', async () => {
    const input = fargateTaskDefinition();
    const startedAt = Date.now();
    const { registeredAt, ...rest } = await register(input);

    assert.ok(registeredAt && registeredAt.getTime() >= startedAt - 1000);
    assert.deepEqual(rest, {
      taskDefinitionArn: arnFor(input.family ?? '', 1),
      family: input.family,
      revision: 1,
      status: 'ACTIVE',
      containerDefinitions: [
        {
          name: 'app',
          image: 'busybox',
          command: ['sleep', '360'],
          cpu: 0,
          portMappings: [],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ],
      networkMode: 'awsvpc',
      volumes: [],
      requiresAttributes: [
        { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
        { name: 'ecs.capability.task-eni' },
      ],
      placementConstraints: [],
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      registeredBy: `arn:aws-us-gov:iam::${server.root.accountId}:root`,
    });
  });

  it('stores vCPU and GB forms of cpu and memory as units and MiB', async () => {
    const quarter = await register(fargateTaskDefinition({ cpu: '0.25 vCPU', memory: '0.5GB' }));
    const one = await register(fargateTaskDefinition({ cpu: '1 vcpu', memory: '2 GB' }));
    assert.deepEqual([quarter.cpu, quarter.memory], ['256', '512']);
    assert.deepEqual([one.cpu, one.memory], ['1024', '2048']);
  });

  it('fills port mapping defaults and echoes roles, runtime platform and storage', async () => {
    const registered = await register(
      fargateTaskDefinition({
        taskRoleArn: `arn:aws-us-gov:iam::${server.root.accountId}:role/app`,
        executionRoleArn: `arn:aws-us-gov:iam::${server.root.accountId}:role/exec`,
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        ephemeralStorage: { sizeInGiB: 30 },
        containerDefinitions: [
          { name: 'web', image: 'nginx', portMappings: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'busybox', essential: false },
        ],
      }),
    );
    const [web, sidecar] = registered.containerDefinitions ?? [];
    assert.deepEqual(web?.portMappings, [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }]);
    assert.equal(web?.essential, true);
    assert.equal(sidecar?.essential, false);
    assert.match(registered.taskRoleArn ?? '', /:role\/app$/);
    assert.match(registered.executionRoleArn ?? '', /:role\/exec$/);
    assert.deepEqual(registered.runtimePlatform, {
      operatingSystemFamily: 'LINUX',
      cpuArchitecture: 'ARM64',
    });
    assert.deepEqual(registered.ephemeralStorage, { sizeInGiB: 30 });
    assert.ok(registered.requiresAttributes?.some((a) => a.name?.endsWith('task-iam-role')));
  });

  it('marks a bridge definition compatible with EC2 only', async () => {
    const registered = await register({
      family: uniqueFamily(),
      containerDefinitions: [{ name: 'app', image: 'busybox', memory: 128 }],
    });
    assert.deepEqual(registered.compatibilities, ['EC2']);
    assert.equal(registered.networkMode, undefined);
    assert.equal(registered.requiresCompatibilities, undefined);
  });

  it('counts revisions up per family and describes by family, revision or ARN', async () => {
    const family = uniqueFamily();
    const first = await register(fargateTaskDefinition({ family }));
    const second = await register(fargateTaskDefinition({ family, memory: '1024' }));
    const other = await register(fargateTaskDefinition());

    assert.deepEqual([first.revision, second.revision, other.revision], [1, 2, 1]);
    assert.equal((await describeArn(family))?.revision, 2);
    assert.equal((await describeArn(`${family}:1`))?.memory, '512');
    assert.equal((await describeArn(arnFor(family, 2)))?.memory, '1024');
  });

  it('lists ACTIVE revisions of one family by default, ascending, or descending', async () => {
    const family = uniqueFamily('list');
    for (let i = 0; i < 3; i += 1) await register(fargateTaskDefinition({ family }));
    await register(fargateTaskDefinition({ family: `${family}-other` }));

    const ascending = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
    const descending = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC' }),
    );
    const expected = [1, 2, 3].map((revision) => arnFor(family, revision));
    assert.deepEqual(ascending.taskDefinitionArns, expected);
    assert.deepEqual(descending.taskDefinitionArns, [...expected].reverse());
  });

  it('pages through every definition with maxResults and nextToken', async () => {
    const families = [uniqueFamily('page'), uniqueFamily('page')];
    for (const family of families) {
      for (let i = 0; i < 3; i += 1) await register(fargateTaskDefinition({ family }));
    }

    const all = await ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC' }));
    const paged: string[] = [];
    for await (const page of paginateListTaskDefinitions(
      { client: ecs, pageSize: 2 },
      { sort: 'DESC' },
    )) {
      assert.ok((page.taskDefinitionArns ?? []).length <= 2);
      paged.push(...(page.taskDefinitionArns ?? []));
    }
    assert.deepEqual(paged, all.taskDefinitionArns);
    assert.ok(families.every((f) => paged.includes(arnFor(f, 3))));
  });

  it('returns InvalidParameterException when a nextToken meets another query', async () => {
    const family = uniqueFamily();
    await register(fargateTaskDefinition({ family }));
    await register(fargateTaskDefinition({ family }));
    const first = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, maxResults: 1 }),
    );
    assert.ok(first.nextToken);
    await rejectsWith(
      ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC', nextToken: first.nextToken })),
      'InvalidParameterException',
    );
    await rejectsWith(
      ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })),
      'InvalidParameterException',
    );
  });

  it('lists families by prefix and by whether they have an ACTIVE revision', async () => {
    const prefix = uniqueFamily('fam');
    const [live, retired] = [`${prefix}-live`, `${prefix}-retired`];
    await register(fargateTaskDefinition({ family: live }));
    await register(fargateTaskDefinition({ family: retired }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${retired}:1` }));

    const families = async (status?: 'ACTIVE' | 'INACTIVE' | 'ALL') =>
      (await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: prefix, status })))
        .families;
    assert.deepEqual(await families(), [live, retired]);
    assert.deepEqual(await families('ALL'), [live, retired]);
    assert.deepEqual(await families('ACTIVE'), [live]);
    assert.deepEqual(await families('INACTIVE'), [retired]);

    const paged: string[] = [];
    for await (const page of paginateListTaskDefinitionFamilies(
      { client: ecs, pageSize: 1 },
      { familyPrefix: prefix },
    )) {
      paged.push(...(page.families ?? []));
    }
    assert.deepEqual(paged, [live, retired]);
  });

  it('deregisters a revision to INACTIVE, which only its revision still describes', async () => {
    const family = uniqueFamily();
    await register(fargateTaskDefinition({ family }));
    const out = await ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: arnFor(family, 1) }),
    );

    assert.equal(out.taskDefinition?.status, 'INACTIVE');
    assert.ok(out.taskDefinition?.deregisteredAt instanceof Date);
    assert.equal((await describeArn(`${family}:1`))?.status, 'INACTIVE');
    await rejectsWith(describeArn(family), 'ClientException');

    const inactive = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'INACTIVE' }),
    );
    const active = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
    assert.deepEqual(inactive.taskDefinitionArns, [arnFor(family, 1)]);
    assert.deepEqual(active.taskDefinitionArns, []);
  });

  it('deletes INACTIVE revisions, fails the others, and never reuses a number', async () => {
    const family = uniqueFamily();
    await register(fargateTaskDefinition({ family }));
    await register(fargateTaskDefinition({ family }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:1` }));

    const out = await ecs.send(
      new DeleteTaskDefinitionsCommand({
        taskDefinitions: [`${family}:1`, `${family}:2`, `${family}:9`],
      }),
    );
    assert.deepEqual(
      out.taskDefinitions?.map((t) => [t.revision, t.status, t.deleteRequestedAt instanceof Date]),
      [[1, 'DELETE_IN_PROGRESS', true]],
    );
    assert.deepEqual(
      out.failures?.map((f) => [f.arn, f.reason]),
      [
        [arnFor(family, 2), 'TASK_DEFINITION_NOT_INACTIVE'],
        [`${family}:9`, 'TASK_DEFINITION_NOT_FOUND'],
      ],
    );

    await rejectsWith(describeArn(`${family}:1`), 'ClientException');
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    assert.ok(!inactive.taskDefinitionArns?.includes(arnFor(family, 1)));
    assert.equal((await register(fargateTaskDefinition({ family }))).revision, 3);
  });

  it('forgets a family once every revision is deleted', async () => {
    const family = uniqueFamily('gone');
    await register(fargateTaskDefinition({ family }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${family}:1` }));
    await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: [`${family}:1`] }));

    const out = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: family }));
    assert.deepEqual(out.families, []);
  });

  it('keeps tags and answers them only when include asks for TAGS', async () => {
    const tags = [
      { key: 'team', value: 'platform' },
      { key: 'env', value: 'test' },
    ];
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand(fargateTaskDefinition({ tags })),
    );
    assert.deepEqual(registered.tags, tags);

    const arn = registered.taskDefinition?.taskDefinitionArn ?? '';
    const plain = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    const tagged = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
    );
    assert.equal(plain.tags, undefined);
    assert.deepEqual(tagged.tags, tags);
  });

  it('keeps task definitions per account and per region', async () => {
    const family = uniqueFamily('mine');
    await register(fargateTaskDefinition({ family }));

    const east = ecsClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-gov-east-1',
    });
    await rejectsWith(
      east.send(new DescribeTaskDefinitionCommand({ taskDefinition: family })),
      'ClientException',
    );
    assert.equal((await register(fargateTaskDefinition({ family }), east)).revision, 1);

    const other = await createTestAccount(server.dataDir);
    const stranger = ecsClient({
      endpoint: server.url,
      credentials: { accessKeyId: other.AccessKeyId, secretAccessKey: other.SecretAccessKey },
      region: GOV,
    });
    await rejectsWith(
      stranger.send(new DescribeTaskDefinitionCommand({ taskDefinition: arnFor(family, 1) })),
      'ClientException',
    );
    const listed = await stranger.send(new ListTaskDefinitionFamiliesCommand({}));
    assert.deepEqual(listed.families, []);
  });

  it('uses the aws partition in commercial regions', async () => {
    const commercial = ecsClient({
      endpoint: server.url,
      credentials: server.root,
      region: 'us-east-1',
    });
    const registered = await register(fargateTaskDefinition(), commercial);
    assert.match(
      registered.taskDefinitionArn ?? '',
      /^arn:aws:ecs:us-east-1:\d{12}:task-definition\//,
    );
    assert.equal(registered.registeredBy, `arn:aws:iam::${server.root.accountId}:root`);
  });

  it('names the task definition in the CloudTrail record of each call', async () => {
    const family = uniqueFamily('trail');
    const arn = (await register(fargateTaskDefinition({ family }))).taskDefinitionArn ?? '';
    await describeArn(arn);

    const trail = cloudTrailClient({ endpoint: server.url, credentials: server.root, region: GOV });
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: arn }],
      }),
    );
    assert.deepEqual(
      out.Events?.map((e) => [e.EventName, e.Resources?.[0]?.ResourceType]),
      [
        ['DescribeTaskDefinition', 'AWS::ECS::TaskDefinition'],
        ['RegisterTaskDefinition', 'AWS::ECS::TaskDefinition'],
      ],
    );
  });
});
