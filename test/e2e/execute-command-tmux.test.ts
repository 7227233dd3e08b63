import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { AWS_CLI, requireAwsCli } from '../support/aws-cli.js';
import { ecsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { pluginDir } from '../support/plugin-path.js';
import {
  pushBusyboxImage,
  requireBinary,
  startRegistry,
  type TestRegistry,
} from '../support/registry.js';
import { runContainer, waitForStatus } from '../support/tasks.js';

const run = promisify(execFile);
const REGION = 'us-gov-west-1';
const TMUX = '/usr/bin/tmux';

/** Runs a tmux subcommand against the test's own server socket. */
function tmux(socket: string, ...args: string[]) {
  return run(TMUX, ['-L', socket, ...args]);
}

/** Waits until the pane shows `pattern`; answers the screen. */
async function screenShows(socket: string, pattern: RegExp): Promise<string> {
  let screen = '';
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    screen = (await tmux(socket, 'capture-pane', '-p', '-t', 'exec')).stdout;
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the terminal never showed ${pattern}; it shows:\n${screen}`);
}

/**
 * An interactive shell through `aws ecs execute-command`, driven as a person would in a real
 * terminal (tmux): type, read, resize, interrupt, exit.
 */
describe('ECS Exec interactive shell in a terminal', () => {
  let server: TestServer;
  let registry: TestRegistry;
  let ecs: ECSClient;
  let plugins: string;
  const socket = `fedgate-exec-${process.pid}`;

  before(async () => {
    requireAwsCli();
    requireBinary(TMUX, 'tmux');
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'tools/busybox', 'latest');
    server = await startTestServer();
    ecs = ecsClient({ endpoint: server.url, credentials: server.root, region: REGION });
    plugins = pluginDir();
  });
  after(async () => {
    await tmux(socket, 'kill-server').catch(() => undefined);
    await server.stop();
    await registry.stop();
    rmSync(plugins, { recursive: true, force: true });
  });

  it('types, reads output, resizes, interrupts with Ctrl-C and exits', async () => {
    const image = `${registry.host}/tools/busybox:latest`;
    const [task] = await runContainer(
      ecs,
      { image, command: ['sleep', '1000'] },
      {
        enableExecuteCommand: true,
      },
    );
    const taskArn = task?.taskArn ?? '';
    await waitForStatus(ecs, undefined, [taskArn], 'RUNNING');

    const env = [
      `PATH=${plugins}:/usr/bin:/bin`,
      `AWS_ACCESS_KEY_ID=${server.root.accessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${server.root.secretAccessKey}`,
      `AWS_DEFAULT_REGION=${REGION}`,
      'AWS_CONFIG_FILE=/dev/null',
      'AWS_SHARED_CREDENTIALS_FILE=/dev/null',
    ];
    const cli = `${AWS_CLI} ecs execute-command --endpoint-url ${server.url} --cluster default --task ${taskArn} --interactive --command sh`;
    await tmux(
      socket,
      'new-session',
      '-d',
      '-s',
      'exec',
      '-x',
      '100',
      '-y',
      '30',
      `env ${env.join(' ')} ${cli}; echo SESSION-DONE-$?; sleep 60`,
    );

    await screenShows(socket, /^\/ #/m);
    await tmux(socket, 'send-keys', '-t', 'exec', 'echo hi-$((6*7))', 'Enter');
    await screenShows(socket, /^hi-42/m);

    await tmux(socket, 'resize-window', '-t', 'exec', '-x', '120', '-y', '40');
    await tmux(socket, 'send-keys', '-t', 'exec', 'busybox stty size', 'Enter');
    await screenShows(socket, /^40 120/m);

    await tmux(socket, 'send-keys', '-t', 'exec', 'sleep 100', 'Enter');
    await tmux(socket, 'send-keys', '-t', 'exec', 'C-c');
    await tmux(socket, 'send-keys', '-t', 'exec', 'echo after-interrupt', 'Enter');
    await screenShows(socket, /^after-interrupt/m);

    await tmux(socket, 'send-keys', '-t', 'exec', 'exit', 'Enter');
    const end = await screenShows(socket, /SESSION-DONE-\d+/);
    assert.match(end, /Exiting session with sessionId: ecs-execute-command-/);
    assert.match(end, /SESSION-DONE-0/);
    await ecs.send(new StopTaskCommand({ task: taskArn }));
  });
});
