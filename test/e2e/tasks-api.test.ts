import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { ecsClient } from '../support/clients.js';
import { TestClusters } from '../support/clusters.js';
import { rejectsWith } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { startStalledRegistry, waitForStatus, type StalledRegistry } from '../support/tasks.js';
import { busyboxContainer, fargateTaskDefinition } from '../support/task-definitions.js';

/** FIPS mode is turned on in this region only; us-gov-east-1 keeps it off. */
const FIPS_REGION = 'us-gov-west-1';
const PLAIN_REGION = 'us-gov-east-1';
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-12345678'] } };

describe('ECS tasks: the API', () => {
  let server: TestServer;
  let fips: ECSClient;
  let plain: ECSClient;
  let clusters: TestClusters;
  let stalled: StalledRegistry;

  before(async () => {
    // The tasks' image is on a registry that never answers, so they stay PENDING while the
    // API is exercised; stopping it ends their pulls.
    stalled = await startStalledRegistry();
    server = await startTestServer();
    fips = ecsClient({ endpoint: server.url, credentials: server.root, region: FIPS_REGION });
    plain = ecsClient({ endpoint: server.url, credentials: server.root, region: PLAIN_REGION });
    clusters = new TestClusters(plain);
    await fips.send(
      new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
    );
  });
  after(async () => {
    await stalled.stop();
    await server.stop();
  });

  const register = async (
    client: ECSClient,
    input: Partial<RegisterTaskDefinitionCommandInput>,
  ) => {
    const containerDefinitions = [busyboxContainer({ image: `${stalled.host}/busybox:latest` })];
    const definition = fargateTaskDefinition({ containerDefinitions, ...input });
    const out = await client.send(new RegisterTaskDefinitionCommand(definition));
    return out.taskDefinition?.taskDefinitionArn ?? '';
  };
  const run = (
    client: ECSClient,
    input: Partial<RunTaskCommandInput> & { taskDefinition: string },
  ) =>
    client.send(
      new RunTaskCommand({ launchType: 'FARGATE', networkConfiguration: NETWORK, ...input }),
    );

  it('answers a PROVISIONING task that should be RUNNING, with its containers and ENI', async () => {
    const cluster = await clusters.create();
    const taskDefinition = await register(plain, {});
    const out = await run(plain, {
      cluster: cluster.clusterName,
      taskDefinition,
      startedBy: 'tester',
      tags: [{ key: 'team', value: 'blue' }],
    });

    assert.deepEqual(out.failures, []);
    const task = out.tasks?.[0];
    assert.ok(task?.taskArn);
    assert.match(task.taskArn, new RegExp(`:task/${cluster.clusterName}/[0-9a-f]{32}$`));
    assert.equal(task.lastStatus, 'PROVISIONING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(task.clusterArn, cluster.clusterArn);
    assert.equal(task.taskDefinitionArn, taskDefinition);
    assert.equal(task.platformVersion, '1.4.0');
    assert.equal(task.platformFamily, 'Linux');
    assert.equal(task.launchType, 'FARGATE');
    assert.equal(task.cpu, '256');
    assert.equal(task.memory, '512');
    assert.match(task.group ?? '', /^family:td-/);
    assert.equal(task.containers?.[0]?.name, 'app');
    assert.equal(task.containers?.[0]?.lastStatus, 'PENDING');
    assert.equal(task.attachments?.[0]?.type, 'ElasticNetworkInterface');
    assert.deepEqual(task.tags, [{ key: 'team', value: 'blue' }]);

    const described = await plain.send(
      new DescribeTasksCommand({
        cluster: cluster.clusterName,
        tasks: [task.taskArn],
        include: ['TAGS'],
      }),
    );
    assert.equal(described.tasks?.[0]?.taskArn, task.taskArn);
    assert.deepEqual(described.tasks?.[0]?.tags, [{ key: 'team', value: 'blue' }]);
  });

  it('lists, stops and then lists as STOPPED', async () => {
    const cluster = await clusters.create();
    const taskDefinition = await register(plain, {});
    const out = await run(plain, { cluster: cluster.clusterName, taskDefinition, count: 3 });
    const arns = (out.tasks ?? []).map((task) => task.taskArn ?? '');
    assert.equal(arns.length, 3);

    const first = await plain.send(
      new ListTasksCommand({ cluster: cluster.clusterName, maxResults: 2 }),
    );
    assert.equal(first.taskArns?.length, 2);
    assert.ok(first.nextToken);
    const second = await plain.send(
      new ListTasksCommand({
        cluster: cluster.clusterName,
        maxResults: 2,
        nextToken: first.nextToken,
      }),
    );
    assert.deepEqual(
      [...(first.taskArns ?? []), ...(second.taskArns ?? [])].sort(),
      [...arns].sort(),
    );

    const id = arns[0]?.split('/').at(-1) ?? '';
    const stopped = await plain.send(
      new StopTaskCommand({ cluster: cluster.clusterName, task: id, reason: 'done here' }),
    );
    assert.equal(stopped.task?.desiredStatus, 'STOPPED');
    assert.equal(stopped.task?.stopCode, 'UserInitiated');
    assert.equal(stopped.task?.stoppedReason, 'done here');

    const listed = await plain.send(
      new ListTasksCommand({ cluster: cluster.clusterName, desiredStatus: 'STOPPED' }),
    );
    assert.deepEqual(listed.taskArns, [arns[0]]);
  });

  it('returns ClusterContainsTasksException when deleting a cluster with tasks', async () => {
    const cluster = await clusters.create();
    const taskDefinition = await register(plain, {});
    await run(plain, { cluster: cluster.clusterName, taskDefinition });
    await rejectsWith(
      plain.send(new DeleteClusterCommand({ cluster: cluster.clusterName })),
      'ClusterContainsTasksException',
    );
  });

  it('stops a task whose image is still being pulled', async () => {
    const taskDefinition = await register(plain, {});
    const [task] = (await run(plain, { taskDefinition })).tasks ?? [];
    const taskArn = task?.taskArn ?? '';
    await waitForStatus(plain, undefined, [taskArn], 'PENDING');

    await plain.send(new StopTaskCommand({ task: taskArn }));
    const [done] = await waitForStatus(plain, undefined, [taskArn], 'STOPPED');
    assert.equal(done?.stopCode, 'UserInitiated');
    assert.equal(done?.stoppedReason, 'Task stopped by user');
  });

  it('answers MISSING for tasks it does not have', async () => {
    const cluster = await clusters.create();
    const missing = '0123456789abcdef0123456789abcdef';
    const out = await plain.send(
      new DescribeTasksCommand({ cluster: cluster.clusterName, tasks: [missing] }),
    );
    assert.deepEqual(out.failures, [{ arn: missing, reason: 'MISSING' }]);
  });

  it('returns InvalidParameterException when an awsvpc task has no network configuration', async () => {
    const taskDefinition = await register(plain, {});
    const message = await rejectsWith(
      plain.send(new RunTaskCommand({ taskDefinition, launchType: 'FARGATE' })),
      'InvalidParameterException',
    );
    assert.equal(
      message,
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  });

  it('returns ClientException for a task size Fargate does not offer', async () => {
    const taskDefinition = await register(plain, {});
    await rejectsWith(
      run(plain, { taskDefinition, overrides: { cpu: '256', memory: '4096' } }),
      'ClientException',
    );
  });

  it('returns InvalidParameterException for ARM64 and platform 1.3.0 with FIPS mode on', async () => {
    const arm = await register(fips, {
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    });
    const x86 = await register(fips, {});
    const armMessage = await rejectsWith(
      run(fips, { taskDefinition: arm }),
      'InvalidParameterException',
    );
    assert.match(armMessage, /X86_64/);
    const oldMessage = await rejectsWith(
      run(fips, { taskDefinition: x86, platformVersion: '1.3.0' }),
      'InvalidParameterException',
    );
    assert.match(oldMessage, /1\.4\.0/);
  });

  it('runs ARM64 and platform 1.3.0 tasks with FIPS mode off', async () => {
    const arm = await register(plain, {
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    });
    const x86 = await register(plain, {});
    assert.equal((await run(plain, { taskDefinition: arm })).tasks?.length, 1);
    const old = await run(plain, { taskDefinition: x86, platformVersion: '1.3.0' });
    assert.equal(old.tasks?.[0]?.platformVersion, '1.3.0');
  });

  it('answers short task ARNs when taskLongArnFormat is disabled', async () => {
    const region = 'us-east-1';
    const client = ecsClient({ endpoint: server.url, credentials: server.root, region });
    await client.send(
      new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'disabled' }),
    );
    const out = await run(client, { taskDefinition: await register(client, {}) });
    const arn = out.tasks?.[0]?.taskArn ?? '';
    assert.match(arn, /^arn:aws:ecs:us-east-1:\d{12}:task\/[0-9a-f]{32}$/);

    const described = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
    assert.equal(described.tasks?.[0]?.taskArn, arn);
  });

  it('returns InvalidParameterException for a count above 10', async () => {
    const taskDefinition = await register(plain, {});
    await rejectsWith(run(plain, { taskDefinition, count: 11 }), 'InvalidParameterException');
  });
});
