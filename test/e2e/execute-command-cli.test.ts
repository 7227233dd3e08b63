import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ECSClient, PutAccountSettingDefaultCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { awsCli } from '../support/aws-cli.js';
import { ecsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { fedgateCli } from '../support/fedgate-cli.js';
import { pushBusyboxImage, startRegistry, type TestRegistry } from '../support/registry.js';
import { pluginDir } from '../support/plugin-path.js';
import { runContainer, waitForStatus } from '../support/tasks.js';

const REGION = 'us-gov-west-1';
describe('ECS Exec with the AWS CLI: aws ecs execute-command', () => {
  let server: TestServer;
  let registry: TestRegistry;
  let ecs: ECSClient;
  let plugins: string;

  before(async () => {
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'tools/busybox', 'latest');
    server = await startTestServer();
    ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: REGION });
    await ecs.send(
      new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
    );
    plugins = pluginDir();
  });
  after(async () => {
    await server.stop();
    await registry.stop();
    rmSync(plugins, { recursive: true, force: true });
  });

  it('prints fips_enabled = 1 from a FIPS-mode task and logs the session', async () => {
    const image = `${registry.host}/tools/busybox:latest`;
    const [task] = await runContainer(
      ecs,
      { image, command: ['sleep', '1000'] },
      { enableExecuteCommand: true },
    );
    const taskArn = task?.taskArn ?? '';
    await waitForStatus(ecs, undefined, [taskArn], 'RUNNING');

    const args = ['ecs', 'execute-command', '--cluster', 'default', '--task', taskArn];
    const command = ['--interactive', '--command', 'cat /proc/sys/crypto/fips_enabled'];
    const path = `${plugins}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    const out = await awsCli(server.url, server.root, REGION, [...args, ...command], {
      PATH: path,
    });

    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^1\r?$/m);
    assert.match(out.stdout, /Exiting session with sessionId: ecs-execute-command-/);

    const { stdout } = await fedgateCli(['sessions', '--data-dir', server.dataDir]);
    assert.match(
      stdout,
      new RegExp(`^ecs-execute-command-\\S+\\t\\S+\\t\\S+Z\\tapp\\t${taskArn}$`, 'm'),
    );
    await ecs.send(new StopTaskCommand({ task: taskArn }));
  });
});
