import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  ECSClient,
  ExecuteCommandCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { EXEC_NOT_ENABLED } from '../../src/services/ecs/execute-command.js';
import { listSessionLog } from '../../src/exec/session-log.js';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { cloudTrailClient } from '../support/clients.js';
import { rejectsWith } from '../support/errors.js';
import { runExecSession } from '../support/exec-client.js';
import type { TestServer } from '../support/fedgate.js';
import {
  PLAIN_REGION,
  startTaskFixture,
  stopTaskFixture,
  type TaskFixture,
} from '../support/task-fixture.js';
import { fargateTaskDefinition } from '../support/task-definitions.js';
import { runContainer, TEST_NETWORK, waitForStatus } from '../support/tasks.js';

const READ_FIPS = 'cat /proc/sys/crypto/fips_enabled';

describe('ECS Exec: ExecuteCommand and the data channel', () => {
  let server: TestServer;
  let image: string;
  let fips: ECSClient;
  let plain: ECSClient;

  let fixture: TaskFixture;

  before(async () => {
    fixture = await startTaskFixture();
    ({ server, image, fips, plain } = fixture);
  });
  after(() => stopTaskFixture(fixture));

  /** A RUNNING task of one busybox container that sleeps, with exec enabled unless told. */
  const runningTask = async (client: ECSClient, enableExecuteCommand = true): Promise<Task> => {
    const command = ['sleep', '1000'];
    const [task] = await runContainer(client, { image, command }, { enableExecuteCommand });
    assert.ok(task?.taskArn);
    const [running] = await waitForStatus(client, undefined, [task.taskArn], 'RUNNING');
    assert.ok(running);
    return running;
  };
  const stop = (client: ECSClient, task: Task) =>
    client.send(new StopTaskCommand({ task: task.taskArn ?? '' }));
  const exec = (client: ECSClient, task: Task, command = READ_FIPS, interactive = true) =>
    client.send(new ExecuteCommandCommand({ task: task.taskArn ?? '', command, interactive }));

  it('returns InvalidParameterException when exec was not enabled for the task', async () => {
    const task = await runningTask(plain, false);
    const message = await rejectsWith(exec(plain, task), 'InvalidParameterException');
    assert.equal(message, EXEC_NOT_ENABLED);
    await stop(plain, task);
  });

  it('returns InvalidParameterException when interactive is false', async () => {
    const task = await runningTask(plain);
    const message = await rejectsWith(
      exec(plain, task, READ_FIPS, false),
      'InvalidParameterException',
    );
    assert.equal(message, 'Interactive is the only mode supported currently.');
    await stop(plain, task);
  });

  it('returns TargetNotConnectedException when the task has stopped', async () => {
    const task = await runningTask(plain);
    await stop(plain, task);
    await waitForStatus(plain, undefined, [task.taskArn ?? ''], 'STOPPED');
    const message = await rejectsWith(exec(plain, task), 'TargetNotConnectedException');
    assert.equal(message, 'The execute command failed due to an internal error. Try again later.');
  });

  it('runs the command on a terminal in the container: fips_enabled 1 in FIPS mode, else 0', async () => {
    for (const [client, expected] of [
      [fips, '1'],
      [plain, '0'],
    ] as const) {
      const task = await runningTask(client);
      const out = await exec(client, task);
      assert.equal(out.interactive, true);
      assert.equal(out.containerName, 'app');
      assert.match(out.session?.sessionId ?? '', /^ecs-execute-command-[0-9a-f]+$/);
      assert.match(out.session?.streamUrl ?? '', /^ws:\/\/127\.0\.0\.1:\d+\/v1\/data-channel\//);

      const result = await runExecSession(
        out.session?.streamUrl ?? '',
        out.session?.tokenValue ?? '',
      );
      assert.equal(result.output.trim(), expected);
      assert.equal(result.channelClosed, true);
      await stop(client, task);
    }
  });

  it('records ExecuteCommand in CloudTrail naming the task, with the token hidden', async () => {
    const task = await runningTask(plain);
    const out = await exec(plain, task);
    const trail = cloudTrailClient({
      endpoint: server.url,
      credentials: server.root,
      region: PLAIN_REGION,
    });
    const events = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: task.taskArn ?? '' }],
      }),
    );
    const event = events.Events?.find((e) => e.EventName === 'ExecuteCommand');
    assert.ok(event?.CloudTrailEvent);
    assert.ok(!event.CloudTrailEvent.includes(out.session?.tokenValue ?? ''));
    const record = JSON.parse(event.CloudTrailEvent) as {
      responseElements: { session: { sessionId: string; tokenValue: string } };
    };
    assert.equal(record.responseElements.session.tokenValue, 'HIDDEN_DUE_TO_SECURITY_REASONS');
    assert.equal(record.responseElements.session.sessionId, out.session?.sessionId);
    await stop(plain, task);
  });

  it('refuses a wrong token and a replayed one', async () => {
    const task = await runningTask(plain);
    const out = await exec(plain, task);
    const url = out.session?.streamUrl ?? '';

    const wrong = await runExecSession(url, 'not-the-token');
    assert.equal(wrong.closeCode, 1008);
    assert.equal(wrong.channelClosed, false);

    // A wrong attempt spends the session too: a token is good for one connection attempt.
    const again = await exec(plain, task);
    const first = await runExecSession(
      again.session?.streamUrl ?? '',
      again.session?.tokenValue ?? '',
    );
    assert.equal(first.output.trim(), '0');
    const replay = await runExecSession(
      again.session?.streamUrl ?? '',
      again.session?.tokenValue ?? '',
    );
    assert.equal(replay.closeCode, 1008);
    await stop(plain, task);
  });

  it('ends the session when its task stops, and logs it without the command', async () => {
    const task = await runningTask(plain);
    const out = await exec(plain, task, 'sh');
    let stopping: Promise<unknown> | undefined;
    const result = await runExecSession(
      out.session?.streamUrl ?? '',
      out.session?.tokenValue ?? '',
      {
        input: 'echo ready\r',
        onOutput: (text) => {
          if (text.includes('ready') && !stopping) stopping = stop(plain, task);
        },
      },
    );
    await stopping;
    assert.match(result.output, /ready/);
    assert.equal(result.channelClosed, true);

    const rows = await listSessionLog(server.db);
    const row = rows.find((r) => r.session_id === out.session?.sessionId);
    assert.ok(row);
    assert.equal(row.task_arn, task.taskArn);
    assert.equal(row.container_name, 'app');
    assert.ok(row.ended_at !== null && row.ended_at >= row.started_at);
    assert.ok(!Object.values(row).includes('sh'));
  });

  it('returns InvalidParameterException without a container name when the task has several', async () => {
    const sleeper = (name: string) => ({
      name,
      image,
      essential: true,
      command: ['sleep', '1000'],
    });
    const definition = fargateTaskDefinition({
      containerDefinitions: [sleeper('web'), sleeper('sidecar')],
    });
    const registered = await plain.send(new RegisterTaskDefinitionCommand(definition));
    const run = await plain.send(
      new RunTaskCommand({
        taskDefinition: registered.taskDefinition?.taskDefinitionArn ?? '',
        launchType: 'FARGATE',
        networkConfiguration: TEST_NETWORK,
        enableExecuteCommand: true,
      }),
    );
    const taskArn = run.tasks?.[0]?.taskArn ?? '';
    const [task] = await waitForStatus(plain, undefined, [taskArn], 'RUNNING');
    assert.ok(task);

    await rejectsWith(exec(plain, task), 'InvalidParameterException');
    const out = await plain.send(
      new ExecuteCommandCommand({
        task: taskArn,
        container: 'sidecar',
        command: 'hostname',
        interactive: true,
      }),
    );
    assert.equal(out.containerName, 'sidecar');
    assert.equal(
      out.containerArn,
      task.containers?.find((c) => c.name === 'sidecar')?.containerArn,
    );
    const result = await runExecSession(
      out.session?.streamUrl ?? '',
      out.session?.tokenValue ?? '',
    );
    assert.match(result.output, /\S/);
    await stop(plain, task);
  });

  it('ends the command in the container when the client hangs up', async () => {
    const task = await runningTask(plain);
    const marker = `sleep ${1000 + Math.floor(Math.random() * 8000)}`;
    const out = await exec(plain, task, `sh -c "echo started; ${marker}"`);
    await runExecSession(out.session?.streamUrl ?? '', out.session?.tokenValue ?? '', {
      hangUpWhen: (text) => text.includes('started'),
    });

    const deadline = Date.now() + 5000;
    while (hostProcessRuns(marker) && Date.now() < deadline) await delay(100);
    assert.equal(hostProcessRuns(marker), false);
    await stop(plain, task);
  });
});

/** Whether a process with exactly this command line (words joined by blanks) runs on the host. */
function hostProcessRuns(commandLine: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.join(' ') === commandLine) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}
