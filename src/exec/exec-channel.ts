import type { RawData, WebSocket } from 'ws';
import { isLive } from '../runtime/host-processes.js';
import type { Clock } from '../util/clock.js';
import { ContainerPty, splitCommand, type TerminalSize } from './pty.js';
import type { OpenedSession } from './sessions.js';
import { StreamSession } from './stream-state.js';
import {
  channelClosed,
  decodeMessage,
  MessageType,
  PayloadFlag,
  PayloadType,
  type ClientMessage,
} from './wire.js';

/** The agent version fedgate's handshake claims: one the AWS plugin accepts. */
const AGENT_VERSION = '3.3.0.0';

/** ECS Exec ends a session after 20 minutes without input (AWS's idle timeout). */
export const IDLE_TIMEOUT_MS = 20 * 60 * 1000;

/** How often a session checks that its container still runs. */
const TASK_POLL_MS = 1000;

/** Output is sent in pieces no larger than the SSM agent's stream chunks. */
const OUTPUT_CHUNK = 1024;

/**
 * One ECS Exec session on an open data channel: the handshake, then the command on a pty in
 * the container, its output as the server's stream and the client's keystrokes and terminal
 * sizes into it. It ends when the command exits, the client goes away, the session idles, or
 * the container's process is gone (its task stopped).
 */
export class ExecChannel {
  private readonly stream: StreamSession;
  private pty: ContainerPty | undefined;
  private size: TerminalSize | undefined;
  private handshakeSentAt = 0;
  private idle: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private finish: ((reason: string) => void) | undefined;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly session: OpenedSession,
    private readonly clock: Clock,
  ) {
    this.stream = new StreamSession({
      outgoingType: MessageType.OutputStreamData,
      send: (frame) => this.sendFrame(frame),
      deliver: (message) => this.deliver(message),
      onResendFailure: () => this.end('client stopped acknowledging'),
    });
  }

  /** Runs the session to its end; resolves with why it ended. */
  run(): Promise<string> {
    const done = new Promise<string>((resolve) => (this.finish = resolve));
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    this.ws.on('close', () => this.end('client disconnected'));
    this.ws.on('error', () => this.end('data channel error'));
    this.touch();
    this.poll = setInterval(() => this.checkTarget(), TASK_POLL_MS);
    this.poll.unref();
    this.sendHandshakeRequest();
    return done;
  }

  /** Ends the session: stops the command, says channel_closed and closes the socket. */
  end(reason: string, output = ''): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idle);
    clearInterval(this.poll);
    this.pty?.kill();
    this.stream.close();
    this.sendFrame(channelClosed({ sessionId: this.session.sessionId, output }));
    this.ws.close(1000);
    this.finish?.(reason);
  }

  private sendHandshakeRequest(): void {
    const request = {
      AgentVersion: AGENT_VERSION,
      RequestedClientActions: [
        {
          ActionType: 'SessionType',
          ActionParameters: { SessionType: 'InteractiveCommands', Properties: null },
        },
      ],
    };
    this.handshakeSentAt = this.clock.now().getTime();
    this.stream.sendData(PayloadType.HandshakeRequest, json(request));
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (!isBinary || this.ended) return;
    let message: ClientMessage;
    try {
      message = decodeMessage(rawBytes(data));
    } catch {
      return; // An invalid frame is dropped, as the agent does; the client resends.
    }
    if (this.stream.receive(message)) return;
    if (message.messageType === MessageType.ChannelClosed) this.end('client closed the channel');
  }

  private deliver(message: ClientMessage): void {
    this.touch();
    switch (message.payloadType) {
      case PayloadType.HandshakeResponse:
        return this.completeHandshake();
      case PayloadType.Size:
        return this.resize(message.payload);
      case PayloadType.Output:
        return this.pty?.write(message.payload);
      case PayloadType.Flag:
        if (isTerminate(message.payload)) this.end('client terminated the session');
        return;
      default:
        return;
    }
  }

  private completeHandshake(): void {
    if (this.pty) return;
    const elapsedNs = (this.clock.now().getTime() - this.handshakeSentAt) * 1_000_000;
    this.stream.sendData(
      PayloadType.HandshakeComplete,
      json({ HandshakeTimeToComplete: elapsedNs, CustomerMessage: '' }),
    );
    this.startCommand();
  }

  private startCommand(): void {
    const argv = splitCommand(this.session.command);
    const pty = ContainerPty.start(this.session.pid, argv, this.size);
    this.pty = pty;
    pty.onData((chunk) => this.output(chunk));
    void pty.exited().then(() => this.end('command exited'));
  }

  private output(chunk: Buffer): void {
    if (this.ended) return;
    for (let at = 0; at < chunk.length; at += OUTPUT_CHUNK) {
      this.stream.sendData(PayloadType.Output, chunk.subarray(at, at + OUTPUT_CHUNK));
    }
  }

  private resize(payload: Buffer): void {
    const size = parseSize(payload);
    if (!size) return;
    this.size = size;
    this.pty?.resize(size);
  }

  /** The container's process is gone when its task stopped: the session goes with it. */
  private checkTarget(): void {
    if (!isLive(this.session.pid)) this.end('task stopped');
  }

  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.end('idle timeout'), IDLE_TIMEOUT_MS);
    this.idle.unref();
  }

  private sendFrame(frame: Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame, { binary: true });
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The bytes of a ws message, whichever shape ws delivered them in. */
export function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function isTerminate(payload: Buffer): boolean {
  return payload.length >= 4 && payload.readUInt32BE(0) === PayloadFlag.TerminateSession;
}

function parseSize(payload: Buffer): TerminalSize | undefined {
  try {
    const size = JSON.parse(payload.toString('utf8')) as { cols?: unknown; rows?: unknown };
    const { cols, rows } = size;
    if (typeof cols !== 'number' || typeof rows !== 'number') return undefined;
    return cols > 0 && rows > 0 ? { cols, rows } : undefined;
  } catch {
    return undefined;
  }
}
