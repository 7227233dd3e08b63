import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  ECSClient,
  ExecuteCommandCommand,
  PutAccountSettingDefaultCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { tlsFiles } from '../../src/tls/certificates.js';
import { awsCli } from '../support/aws-cli.js';
import { runExecSession } from '../support/exec-client.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { pluginDir } from '../support/plugin-path.js';
import { pushBusyboxImage, startRegistry, type TestRegistry } from '../support/registry.js';
import { runContainer, waitForStatus } from '../support/tasks.js';
import { testCa, tlsEcsClient } from '../support/tls-clients.js';

const REGION = 'us-gov-west-1';
const READ_FIPS = 'cat /proc/sys/crypto/fips_enabled';

describe('ECS Exec over HTTPS: a wss:// data channel', () => {
  let server: TestServer;
  let registry: TestRegistry;
  let ecs: ECSClient;
  let image: string;
  let plugins: string;

  before(async () => {
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'tools/busybox', 'latest');
    server = await startTestServer({ tls: true, tlsPort: 0 });
    ecs = tlsEcsClient({
      endpoint: server.tlsUrl ?? '',
      credentials: server.root,
      region: REGION,
      ca: testCa(server.dataDir),
    });
    await ecs.send(
      new PutAccountSettingDefaultCommand({ name: 'fargateFIPSMode', value: 'enabled' }),
    );
    image = `${registry.host}/tools/busybox:latest`;
    plugins = pluginDir();
  });
  after(async () => {
    await server.stop();
    await registry.stop();
    rmSync(plugins, { recursive: true, force: true });
  });

  const runningTask = async () => {
    const command = ['sleep', '1000'];
    const [task] = await runContainer(ecs, { image, command }, { enableExecuteCommand: true });
    const taskArn = task?.taskArn ?? '';
    await waitForStatus(ecs, undefined, [taskArn], 'RUNNING');
    return taskArn;
  };

  it('answers a wss:// streamUrl on the HTTPS host, and the channel runs over TLS', async () => {
    const taskArn = await runningTask();
    const out = await ecs.send(
      new ExecuteCommandCommand({ task: taskArn, command: READ_FIPS, interactive: true }),
    );
    const streamUrl = out.session?.streamUrl ?? '';
    assert.match(
      streamUrl,
      new RegExp(`^wss://127\\.0\\.0\\.1:${server.tlsPort}/v1/data-channel/`),
    );

    const result = await runExecSession(streamUrl, out.session?.tokenValue ?? '', {
      ca: testCa(server.dataDir),
    });
    assert.equal(result.output.trim(), '1');
    assert.equal(result.channelClosed, true);
    await ecs.send(new StopTaskCommand({ task: taskArn }));
  });

  it('runs `aws ecs execute-command` over HTTPS with AWS_CA_BUNDLE reaching the plugin', async () => {
    const taskArn = await runningTask();
    const args = ['ecs', 'execute-command', '--cluster', 'default', '--task', taskArn];
    const command = ['--interactive', '--command', READ_FIPS];
    const out = await awsCli(
      `https://localhost:${server.tlsPort}`,
      server.root,
      REGION,
      [...args, ...command],
      {
        PATH: `${plugins}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        AWS_CA_BUNDLE: tlsFiles(server.dataDir).ca,
      },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^1\r?$/m);
    await ecs.send(new StopTaskCommand({ task: taskArn }));
  });
});
