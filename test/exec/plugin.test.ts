import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { INSTALLED_MESSAGE, stdinPayload } from '../../src/cli/session-manager-plugin.js';
import { StreamSession } from '../../src/exec/stream-state.js';
import {
  channelClosed,
  decodeMessage,
  MessageType,
  PayloadType,
  type ClientMessage,
} from '../../src/exec/wire.js';
import { awsCli } from '../support/aws-cli.js';

const PLUGIN = 'src/cli/session-manager-plugin.ts';
const SESSION_ID = 'ecs-execute-command-0123456789abcdef';
const TOKEN = 'token-for-the-test';

interface PluginRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the plugin as the AWS CLI does, feeding `stdin` and waiting for it to exit. */
async function runPlugin(
  args: readonly string[],
  stdin = '',
  whileRunning?: (child: ChildProcess) => void,
): Promise<PluginRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', PLUGIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.write(stdin);
  whileRunning?.(child);
  const timeout = setTimeout(() => child.kill(), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timeout);
  return { code, stdout, stderr };
}

/** What the in-test server saw from the plugin. */
interface Observed {
  openFrame?: Record<string, unknown>;
  handshakeResponse?: Record<string, unknown>;
  size?: Record<string, unknown>;
  input: string;
}

/**
 * Plays fedgate's data-channel server for one connection: handshake, then
 * after the terminal size and the expected stdin, the output "1\n", and once
 * that is acknowledged, channel_closed.
 */
function playServer(ws: WebSocket, observed: Observed, expectedInput: string): void {
  let outputSent = false;
  let closed = false;
  const stream = new StreamSession({
    outgoingType: MessageType.OutputStreamData,
    send: (frame) => ws.send(frame),
    deliver: (message) => onStream(message),
  });
  const onStream = (message: ClientMessage): void => {
    const text = message.payload.toString();
    if (message.payloadType === PayloadType.HandshakeResponse) {
      observed.handshakeResponse = JSON.parse(text);
      const complete = { HandshakeTimeToComplete: 1_000_000, CustomerMessage: '' };
      stream.sendData(PayloadType.HandshakeComplete, Buffer.from(JSON.stringify(complete)));
    } else if (message.payloadType === PayloadType.Size) {
      observed.size = JSON.parse(text);
    } else if (message.payloadType === PayloadType.Output) {
      observed.input += text;
    }
    if (observed.size && observed.input === expectedInput && !outputSent) {
      outputSent = true;
      stream.sendData(PayloadType.Output, Buffer.from('1\n'));
    }
  };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) {
      observed.openFrame = JSON.parse(data.toString());
      const request = {
        AgentVersion: '3.3.0.0',
        RequestedClientActions: [
          { ActionType: 'SessionType', ActionParameters: { SessionType: 'InteractiveCommands' } },
        ],
      };
      stream.sendData(PayloadType.HandshakeRequest, Buffer.from(JSON.stringify(request)));
      return;
    }
    stream.receive(decodeMessage(data));
    if (outputSent && !closed && stream.unacknowledged === 0) {
      closed = true;
      ws.send(channelClosed({ sessionId: SESSION_ID }));
      stream.close();
    }
  });
}

/** A stand-in ECS endpoint and data channel on one port, as the AWS CLI reaches them. */
interface FakeEndpoint {
  readonly url: string;
  readonly streamUrl: string;
  readonly observed: Observed;
  close(): void;
}

async function startEndpoint(expectedInput: string): Promise<FakeEndpoint> {
  const observed: Observed = { input: '' };
  const http = createServer((req, res) => answerEcs(req, res, streamUrl));
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => playServer(ws, observed, expectedInput));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const streamUrl = `ws://127.0.0.1:${port}/v1/data-channel/${SESSION_ID}?role=publish_subscribe`;
  return { url, streamUrl, observed, close: () => (wss.close(), http.close()) };
}

/** Answers the two ECS calls `aws ecs execute-command` makes, ExecuteCommand and DescribeTasks. */
function answerEcs(req: IncomingMessage, res: ServerResponse, streamUrl: string): void {
  const target = String(req.headers['x-amz-target'] ?? '');
  const body = target.endsWith('.ExecuteCommand')
    ? {
        clusterArn: 'arn:aws-us-gov:ecs:us-gov-east-1:123456789012:cluster/default',
        containerArn: 'arn:aws-us-gov:ecs:us-gov-east-1:123456789012:container/default/abc/def',
        containerName: 'app',
        interactive: true,
        taskArn: 'arn:aws-us-gov:ecs:us-gov-east-1:123456789012:task/default/abc',
        session: { sessionId: SESSION_ID, streamUrl, tokenValue: TOKEN },
      }
    : { tasks: [{ containers: [{ name: 'app', runtimeId: 'abc-123' }] }], failures: [] };
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end(JSON.stringify(body));
  });
}

/** A directory holding a `session-manager-plugin` that runs this source tree's plugin. */
function pluginOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-smp-'));
  const shim = join(dir, 'session-manager-plugin');
  const script = resolve(PLUGIN);
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" --import tsx "${script}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

describe('session-manager-plugin', () => {
  it('reports itself installed when run without arguments, as the AWS CLI checks', async () => {
    const run = await runPlugin([]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${INSTALLED_MESSAGE}\n`);
  });

  it('runs a session the way the AWS CLI starts one and exits 0 on channel_closed', async (t) => {
    const endpoint = await startEndpoint('hello');
    t.after(() => endpoint.close());
    // ECS's ExecuteCommand answers lower-case keys and the CLI passes them on unchanged.
    const session = JSON.stringify({
      sessionId: SESSION_ID,
      streamUrl: endpoint.streamUrl,
      tokenValue: TOKEN,
    });
    const parameters = JSON.stringify({ Target: 'ecs:default_abc_def' });
    const args = [session, 'us-gov-east-1', 'StartSession', '', parameters, endpoint.url];
    const run = await runPlugin(args, 'hello');

    assert.equal(run.stderr, '');
    assert.equal(run.stdout, `1\n\n\nExiting session with sessionId: ${SESSION_ID}.\n\n`);
    assert.equal(run.code, 0);
    const { observed } = endpoint;
    assert.equal(observed.openFrame?.TokenValue, TOKEN);
    assert.equal(observed.openFrame?.MessageSchemaVersion, '1.0');
    assert.equal(observed.openFrame?.ClientVersion, '1.2.0.0');
    assert.deepEqual(observed.handshakeResponse, {
      ClientVersion: '1.2.0.0',
      ProcessedClientActions: [{ ActionType: 'SessionType', ActionStatus: 1 }],
      Errors: [],
    });
    assert.deepEqual(observed.size, { cols: 80, rows: 24 });
    assert.equal(observed.input, 'hello');
  });

  it('is the plugin `aws ecs execute-command` finds and runs', async (t) => {
    const endpoint = await startEndpoint('');
    const pluginDir = pluginOnPath();
    t.after(() => (endpoint.close(), rmSync(pluginDir, { recursive: true, force: true })));
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const args = ['ecs', 'execute-command', '--cluster', 'default', '--task', 'abc'];
    const command = [...args, '--container', 'app', '--command', 'sh', '--interactive'];
    const path = `${pluginDir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    const run = await awsCli(endpoint.url, credentials, 'us-gov-east-1', command, { PATH: path });

    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /The Session Manager plugin was installed successfully/);
    assert.match(run.stdout, /1\n\n\nExiting session with sessionId: ecs-execute-command-/);
    assert.equal(endpoint.observed.openFrame?.TokenValue, TOKEN);
  });

  it('sends an interrupt it receives as the ^C byte, as the AWS plugin does', async (t) => {
    const endpoint = await startEndpoint('hello\x03');
    t.after(() => endpoint.close());
    const session = JSON.stringify({ SessionId: SESSION_ID, StreamUrl: endpoint.streamUrl });
    const args = [session, 'us-gov-east-1', 'StartSession', '', '{}', endpoint.url];
    const interruptOnceAttached = (child: ChildProcess): void => {
      const poll = setInterval(() => {
        if (endpoint.observed.input !== 'hello') return;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 20);
    };
    const run = await runPlugin(args, 'hello', interruptOnceAttached);

    assert.equal(run.code, 0, run.stderr);
    assert.equal(endpoint.observed.input, 'hello\x03');
  });

  it('sends a lone newline as the Enter key, carriage return', () => {
    assert.equal(stdinPayload(Buffer.from('\n')).toString(), '\r');
    assert.equal(stdinPayload(Buffer.from('ls\n')).toString(), 'ls\n');
  });
});
