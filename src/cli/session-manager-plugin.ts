import { randomUUID } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { StreamSession } from '../exec/stream-state.js';
import {
  decodeMessage,
  jsonPayload,
  MessageType,
  parseChannelClosed,
  PayloadType,
  WireFormatError,
  type ClientMessage,
} from '../exec/wire.js';

/** What AWS's plugin prints when run without arguments, as the AWS CLI does to find it. */
export const INSTALLED_MESSAGE =
  'The Session Manager plugin was installed successfully. Use the AWS CLI to start a session.';

/** The plugin version this client reports in its open frame and handshake. */
export const CLIENT_VERSION = '1.2.0.0';

/** AWS's plugin pings the data channel this often so idle proxies keep it open. */
const KEEPALIVE_MS = 5 * 60_000;

/**
 * Signals that reach the plugin instead of the terminal's byte (stdin not a
 * TTY, or sent with kill) go to the remote shell as that byte, as AWS's plugin does.
 */
const SIGNAL_BYTES = { SIGINT: '\x03', SIGTSTP: '\x1a', SIGQUIT: '\x1c' } as const;

/** HandshakeResponse ActionStatus values, as AWS's plugin numbers them. */
const ActionStatus = { Success: 1, Unsupported: 3 } as const;

/** The session ExecuteCommand (or ssm StartSession) answered, as the CLI passes it. */
export interface StartedSession {
  readonly sessionId: string;
  readonly streamUrl: string;
  readonly tokenValue: string;
}

/** The terminal the plugin attaches to the session. */
export interface PluginIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/**
 * Runs the plugin as the AWS CLI does: with no arguments it only reports
 * itself installed; with `<session JSON> <region> StartSession <profile>
 * <parameters JSON> <endpoint url>` it attaches the terminal to the session.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const args = argv.slice(2);
  if (args.length === 0) {
    process.stdout.write(`${INSTALLED_MESSAGE}\n`);
    return;
  }
  if (args[0] === '--version') {
    process.stdout.write(`${CLIENT_VERSION}\n`);
    return;
  }
  let session: StartedSession;
  try {
    session = parseSessionArgument(args[0] ?? '');
  } catch (error) {
    process.stderr.write(`Cannot perform start session: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  process.exit(await runSession(session, io));
}

/**
 * Reads the session JSON. The AWS CLI passes ECS's `session` object as is
 * (`sessionId`, `streamUrl`, `tokenValue`) and SSM's with capitals; AWS's Go
 * plugin matches keys without regard to case, so this does too. The CLI may
 * also pass the name of an environment variable that holds the JSON.
 */
export function parseSessionArgument(argument: string): StartedSession {
  const text = argument.startsWith('AWS_SSM_START_SESSION_RESPONSE')
    ? (process.env[argument] ?? '')
    : argument;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('session is not an object');
  const fields = new Map(
    Object.entries(parsed).map(([key, value]) => [key.toLowerCase(), String(value ?? '')]),
  );
  const session = {
    sessionId: fields.get('sessionid') ?? '',
    streamUrl: fields.get('streamurl') ?? '',
    tokenValue: fields.get('tokenvalue') ?? '',
  };
  if (!session.sessionId || !session.streamUrl)
    throw new Error('session lacks SessionId or StreamUrl');
  return session;
}

/** The input_stream_data payload for a chunk of stdin: a lone newline is the Enter key, `\r`. */
export function stdinPayload(chunk: Buffer): Buffer {
  return chunk.length === 1 && chunk[0] === 0x0a ? Buffer.from('\r') : chunk;
}

/**
 * The certificates a wss:// data channel is checked against: AWS_CA_BUNDLE's, as the AWS CLI
 * (which passes its environment to the plugin) used for the API call, e.g. fedgate's private CA.
 * Without it Node's own trust store (plus NODE_EXTRA_CA_CERTS) applies.
 */
export function trustOptions(
  streamUrl: string,
  bundle = process.env.AWS_CA_BUNDLE,
): WebSocket.ClientOptions {
  if (!streamUrl.startsWith('wss:') || !bundle) return {};
  try {
    return { ca: readFileSync(bundle) };
  } catch (error) {
    throw new Error(
      `cannot read AWS_CA_BUNDLE ${bundle} (${(error as Error).message}): point it at a PEM file`,
    );
  }
}

/** Attaches `io` to the session's data channel; resolves with the exit code. */
export function runSession(session: StartedSession, io: PluginIo): Promise<number> {
  return new Promise((resolve) => {
    try {
      new SessionClient(session, io, resolve).start();
    } catch (error) {
      io.stderr.write(`Cannot perform start session: ${(error as Error).message}\n`);
      resolve(1);
    }
  });
}

/** One attached session: the WebSocket, the ordered stream over it, and the terminal. */
class SessionClient {
  private readonly ws: WebSocket;
  private readonly stream: StreamSession;
  private attached = false;
  private finished = false;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: StartedSession,
    private readonly io: PluginIo,
    private readonly done: (code: number) => void,
  ) {
    this.ws = new WebSocket(session.streamUrl, trustOptions(session.streamUrl));
    this.stream = new StreamSession({
      outgoingType: MessageType.InputStreamData,
      send: (frame) => this.sendFrame(frame),
      deliver: (message) => this.onStreamMessage(message),
      onResendFailure: () => this.fail('the data channel stopped acknowledging input'),
    });
  }

  start(): void {
    this.ws.on('open', () => this.onOpen());
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.onFrame(toBuffer(data));
    });
    this.ws.on('error', (error) => this.fail(error.message));
    this.ws.on('close', () => this.fail('the data channel closed before the session ended'));
  }

  private onOpen(): void {
    // The open frame is the only text frame; the server answers nothing to it.
    this.ws.send(
      JSON.stringify({
        MessageSchemaVersion: '1.0',
        RequestId: randomUUID(),
        TokenValue: this.session.tokenValue,
        ClientId: randomUUID(),
        ClientVersion: CLIENT_VERSION,
      }),
    );
    this.keepalive = setInterval(() => this.ws.ping(), KEEPALIVE_MS).unref();
  }

  private onFrame(frame: Buffer): void {
    let message: ClientMessage;
    try {
      message = decodeMessage(frame);
    } catch (error) {
      // AWS's plugin drops invalid frames too; the server resends what matters.
      if (error instanceof WireFormatError) return;
      throw error;
    }
    if (this.stream.receive(message)) return;
    if (message.messageType === MessageType.ChannelClosed) this.onChannelClosed(message);
    // TODO: honour pause_publication/start_publication, because the agent uses them for
    // flow control; remove when fedgate's server sends them.
  }

  private onStreamMessage(message: ClientMessage): void {
    switch (message.payloadType) {
      case PayloadType.HandshakeRequest:
        return this.answerHandshake(message.payload);
      case PayloadType.HandshakeComplete:
        return this.attachTerminal();
      case PayloadType.Output:
        this.io.stdout.write(message.payload);
        return;
      case PayloadType.StdErr:
        this.io.stderr.write(message.payload);
        return;
    }
  }

  private answerHandshake(payload: Buffer): void {
    const actions = requestedActionTypes(jsonPayload(payload));
    const response = {
      ClientVersion: CLIENT_VERSION,
      ProcessedClientActions: actions.map((ActionType) => ({
        ActionType,
        ActionStatus:
          ActionType === 'SessionType' ? ActionStatus.Success : ActionStatus.Unsupported,
      })),
      Errors: actions
        .filter((type) => type !== 'SessionType')
        .map((type) => `${type} is not supported by this client`),
    };
    this.stream.sendData(PayloadType.HandshakeResponse, Buffer.from(JSON.stringify(response)));
  }

  private attachTerminal(): void {
    if (this.attached) return;
    this.attached = true;
    this.sendSize();
    process.on('SIGWINCH', this.sendSize);
    for (const signal of signalNames()) process.on(signal, this.forwardSignal);
    if (this.io.stdin.isTTY) this.io.stdin.setRawMode(true);
    this.io.stdin.on('data', (chunk: Buffer) => {
      this.stream.sendData(PayloadType.Output, stdinPayload(chunk));
    });
  }

  private readonly sendSize = (): void => {
    const size = terminalSize(this.io);
    this.stream.sendData(PayloadType.Size, Buffer.from(JSON.stringify(size)));
  };

  private readonly forwardSignal = (signal: NodeJS.Signals): void => {
    const byte = SIGNAL_BYTES[signal as keyof typeof SIGNAL_BYTES];
    this.stream.sendData(PayloadType.Output, Buffer.from(byte));
  };

  private onChannelClosed(message: ClientMessage): void {
    const { Output } = parseChannelClosed(message);
    // The same two lines AWS's plugin prints, blank lines included.
    const text = Output
      ? `\n\nSessionId: ${this.session.sessionId} : ${Output}\n\n`
      : `\n\nExiting session with sessionId: ${this.session.sessionId}.\n\n`;
    this.io.stdout.write(text);
    this.finish(0);
  }

  private fail(reason: string): void {
    if (this.finished) return;
    this.io.stderr.write(`\nSessionId: ${this.session.sessionId} : ${reason}\n`);
    this.finish(1);
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.stream.close();
    clearInterval(this.keepalive);
    process.off('SIGWINCH', this.sendSize);
    for (const signal of signalNames()) process.off(signal, this.forwardSignal);
    if (this.io.stdin.isTTY) this.io.stdin.setRawMode(false);
    this.io.stdin.pause();
    this.ws.removeAllListeners('close');
    this.ws.close();
    this.done(code);
  }

  private sendFrame(frame: Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, { binary: true });
  }
}

function signalNames(): NodeJS.Signals[] {
  return Object.keys(SIGNAL_BYTES) as NodeJS.Signals[];
}

function requestedActionTypes(request: unknown): string[] {
  if (typeof request !== 'object' || request === null) return [];
  const actions: unknown = (request as { RequestedClientActions?: unknown }).RequestedClientActions;
  if (!Array.isArray(actions)) return [];
  return actions.map((action: unknown) =>
    String((action as { ActionType?: unknown } | null)?.ActionType ?? ''),
  );
}

/** The terminal's size; 80×24, the VT100's, when stdout is not a terminal. */
function terminalSize(io: PluginIo): { cols: number; rows: number } {
  if (io.stdout.isTTY) return { cols: io.stdout.columns, rows: io.stdout.rows };
  return { cols: 80, rows: 24 };
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** True when this file is the program node was asked to run, not a module imported by bin/. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(realpathSync(script)).href;
}

if (isEntryPoint()) await main(process.argv);
