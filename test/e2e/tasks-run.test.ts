import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import type { TestServer } from '../support/fedgate.js';
import { fedgateCli } from '../support/fedgate-cli.js';
import { freePort, type TestRegistry } from '../support/registry.js';
import { startTaskFixture, stopTaskFixture, type TaskFixture } from '../support/task-fixture.js';
import { fargateTaskDefinition } from '../support/task-definitions.js';
import { runContainer, TEST_NETWORK, waitForStatus } from '../support/tasks.js';

const READ_FIPS = 'test "$(cat /proc/sys/crypto/fips_enabled)" = 1';

describe('ECS tasks: real containers', () => {
  let server: TestServer;
  let registry: TestRegistry;
  let image: string;
  let fips: ECSClient;
  let plain: ECSClient;

  let fixture: TaskFixture;

  before(async () => {
    fixture = await startTaskFixture();
    ({ server, registry, image, fips, plain } = fixture);
  });
  after(() => stopTaskFixture(fixture));

  const runToEnd = async (client: ECSClient, command: string[]) => {
    const [task] = await runContainer(client, { image, command });
    assert.ok(task?.taskArn);
    const [done] = await waitForStatus(client, undefined, [task.taskArn], 'STOPPED');
    assert.ok(done);
    return done;
  };

  it('shows fips_enabled = 1 to containers only with FIPS mode on', async () => {
    const on = await runToEnd(fips, ['sh', '-c', READ_FIPS]);
    const off = await runToEnd(plain, ['sh', '-c', READ_FIPS]);

    assert.equal(on.containers?.[0]?.exitCode, 0);
    assert.equal(off.containers?.[0]?.exitCode, 1);
    assert.equal(on.stopCode, 'EssentialContainerExited');
    assert.equal(on.stoppedReason, 'Essential container in task exited');
    assert.ok(on.startedAt && on.stoppedAt && on.pullStartedAt && on.pullStoppedAt);
  });

  it('records the exit code and keeps the output for fedgate logs', async () => {
    const done = await runToEnd(plain, ['sh', '-c', 'echo hello from fedgate; exit 3']);
    assert.equal(done.containers?.[0]?.exitCode, 3);
    assert.match(done.containers?.[0]?.runtimeId ?? '', /.+/);

    const id = done.taskArn?.split('/').at(-1) ?? '';
    const { stdout } = await fedgateCli(['logs', id, '--data-dir', server.dataDir]);
    assert.equal(stdout, 'hello from fedgate\n');
  });

  it('stops a running task with SIGTERM on StopTask', async () => {
    const [task] = await runContainer(plain, { image, command: ['sleep', '1000'], stopTimeout: 5 });
    assert.ok(task?.taskArn);
    await waitForStatus(plain, undefined, [task.taskArn], 'RUNNING');

    await plain.send(new StopTaskCommand({ task: task.taskArn, reason: 'test over' }));
    const [done] = await waitForStatus(plain, undefined, [task.taskArn], 'STOPPED');
    assert.equal(done?.stopCode, 'UserInitiated');
    assert.equal(done?.stoppedReason, 'test over');
    assert.ok([137, 143].includes(done?.containers?.[0]?.exitCode ?? -1));
  });

  it('goes on after a non-essential container exits and prefixes logs by container', async () => {
    const definition = fargateTaskDefinition({
      containerDefinitions: [
        { name: 'side', image, essential: false, command: ['sh', '-c', 'echo side; exit 2'] },
        { name: 'main', image, command: ['sh', '-c', 'echo main; sleep 1'] },
      ],
    });
    const registered = await plain.send(new RegisterTaskDefinitionCommand(definition));
    const out = await plain.send(
      new RunTaskCommand({
        taskDefinition: registered.taskDefinition?.taskDefinitionArn ?? '',
        networkConfiguration: TEST_NETWORK,
        enableExecuteCommand: true,
      }),
    );
    const taskArn = out.tasks?.[0]?.taskArn ?? '';
    const [running] = await waitForStatus(plain, undefined, [taskArn], 'RUNNING');
    const agent = running?.containers?.[0]?.managedAgents?.[0];
    assert.equal(agent?.name, 'ExecuteCommandAgent');

    const id = taskArn.split('/').at(-1) ?? '';
    const follow = fedgateCli(['logs', id, '--follow', '--data-dir', server.dataDir]);
    const [done] = await waitForStatus(plain, undefined, [taskArn], 'STOPPED');
    const exits = Object.fromEntries((done?.containers ?? []).map((c) => [c.name, c.exitCode]));
    assert.deepEqual(exits, { side: 2, main: 0 });
    assert.equal(done?.stopCode, 'EssentialContainerExited');

    const lines = (await follow).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(lines, ['main | main', 'side | side']);
  });

  it('stops a task whose image does not exist with CannotPullContainerError', async () => {
    const [task] = await runContainer(plain, { image: `${registry.host}/tools/nothing:1` });
    const [done] = await waitForStatus(plain, undefined, [task?.taskArn ?? ''], 'STOPPED');
    assert.equal(done?.stopCode, 'TaskFailedToStart');
    assert.match(done?.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(done?.containers?.[0]?.reason ?? '', /^CannotPullContainerError: /);
  });

  it('stops a task whose registry is down with CannotPullContainerError', async () => {
    const down = `127.0.0.1:${await freePort()}/tools/busybox:latest`;
    const [task] = await runContainer(plain, { image: down });
    const [done] = await waitForStatus(plain, undefined, [task?.taskArn ?? ''], 'STOPPED');
    assert.match(done?.stoppedReason ?? '', /^CannotPullContainerError: /);
  });

  it('runs 50 tasks at once', async () => {
    const batches = await Promise.all(
      Array.from({ length: 5 }, () =>
        runContainer(plain, { image, command: ['sh', '-c', 'exit 0'] }, { count: 10 }),
      ),
    );
    const arns = batches.flat().map((task) => task.taskArn ?? '');
    assert.equal(arns.length, 50);

    const done = await waitForStatus(plain, undefined, arns, 'STOPPED');
    assert.ok(done.every((task) => task.containers?.[0]?.exitCode === 0));
  });
});
