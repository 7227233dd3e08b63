import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { RESTART_REASON } from '../../src/runtime/reconciler.js';
import { BwrapDriver } from '../../src/runtime/bwrap-driver.js';
import { awsCli } from '../support/aws-cli.js';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { startTestServer } from '../support/fedgate.js';
import { fixedRoot, spawnFedgate } from '../support/fedgate-process.js';
import { pushBusyboxImage, startRegistry, type TestRegistry } from '../support/registry.js';
import { fargateTaskDefinition } from '../support/task-definitions.js';
import { runContainer, TEST_NETWORK, waitForStatus } from '../support/tasks.js';

const REGION = 'us-gov-west-1';

describe('ECS tasks: lifecycle', () => {
  let registry: TestRegistry;
  let image: string;

  before(async () => {
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'tools/busybox', 'latest');
    image = `${registry.host}/tools/busybox:latest`;
  });
  after(() => registry.stop());

  it('runs a task to STOPPED through the AWS CLI and records only the calls in CloudTrail', async () => {
    const server = await startTestServer();
    try {
      const ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: REGION });
      const definition = fargateTaskDefinition({
        containerDefinitions: [{ name: 'app', image, command: ['sh', '-c', 'exit 7'] }],
      });
      const registered = await ecs.send(new RegisterTaskDefinitionCommand(definition));
      const cli = (args: string[]) => awsCli(server.url, server.root, REGION, args);

      const network = JSON.stringify(TEST_NETWORK);
      const ran = await cli([
        'ecs',
        'run-task',
        '--launch-type',
        'FARGATE',
        '--network-configuration',
        network,
        '--task-definition',
        registered.taskDefinition?.taskDefinitionArn ?? '',
      ]);
      assert.equal(ran.code, 0, ran.stderr);
      const taskArn = (JSON.parse(ran.stdout) as { tasks: { taskArn: string }[] }).tasks[0]
        ?.taskArn;
      assert.ok(taskArn);

      const deadline = Date.now() + 60_000;
      let task: { lastStatus?: string; containers?: { exitCode?: number }[] } = {};
      while (Date.now() < deadline && task.lastStatus !== 'STOPPED') {
        const described = await cli(['ecs', 'describe-tasks', '--tasks', taskArn]);
        assert.equal(described.code, 0, described.stderr);
        task = (JSON.parse(described.stdout) as { tasks: (typeof task)[] }).tasks[0] ?? {};
        if (task.lastStatus !== 'STOPPED') await delay(200);
      }
      assert.equal(task.lastStatus, 'STOPPED');
      assert.equal(task.containers?.[0]?.exitCode, 7);

      const trail = cloudTrailClient({
        endpoint: server.url,
        credentials: server.root,
        region: REGION,
      });
      const events = await trail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: taskArn }],
        }),
      );
      const names = (events.Events ?? []).map((event) => event.EventName).sort();
      assert.ok(names.includes('RunTask'), names.join());
      assert.ok(
        names.every((name) => name === 'RunTask' || name === 'DescribeTasks'),
        names.join(),
      );
    } finally {
      await server.stop();
    }
  });

  it('stops tasks naming the missing package when bwrap is not installed', async () => {
    const driver = new BwrapDriver({ programs: { bwrap: '/nonexistent/bwrap' } });
    const server = await startTestServer({}, { driver });
    try {
      const ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: REGION });
      const [task] = await runContainer(ecs, { image, command: ['true'] });
      const [done] = await waitForStatus(ecs, undefined, [task?.taskArn ?? ''], 'STOPPED');
      assert.equal(done?.stopCode, 'TaskFailedToStart');
      assert.match(done?.stoppedReason ?? '', /bubblewrap/);
    } finally {
      await server.stop();
    }
  });

  it('stops tasks whose containers died with an earlier fedgate process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fedgate-restart-'));
    const root = fixedRoot();
    const credentials = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };
    try {
      const first = await spawnFedgate(dataDir, root);
      const ecs = ecsClient({ endpoint: first.url, credentials, region: REGION });
      const [task] = await runContainer(ecs, { image, command: ['sleep', '1000'] });
      const taskArn = task?.taskArn ?? '';
      await waitForStatus(ecs, undefined, [taskArn], 'RUNNING');
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await spawnFedgate(dataDir, root);
      try {
        const again = ecsClient({ endpoint: second.url, credentials, region: REGION });
        const [done] = await waitForStatus(again, undefined, [taskArn], 'STOPPED');
        assert.equal(done?.stoppedReason, RESTART_REASON);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
