import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import { StreamSession } from '../../src/exec/stream-state.js';
import {
  decodeMessage,
  MessageType,
  PayloadType,
  parseChannelClosed,
  type ClientMessage,
} from '../../src/exec/wire.js';

/** How a protocol-level exec session ended. */
export interface ExecResult {
  /** The command's terminal output. */
  readonly output: string;
  /** True when the server sent channel_closed. */
  readonly channelClosed: boolean;
  /** The WebSocket close code. */
  readonly closeCode: number;
}

/**
 * A minimal data-channel client, as the session-manager-plugin behaves: token frame, handshake
 * response, a terminal size, then output collected until channel_closed or the socket closes.
 */
export async function runExecSession(
  streamUrl: string,
  tokenValue: string,
  options: {
    input?: string;
    onOutput?: (text: string) => void;
    /** Hangs up (closes the socket) once the output satisfies this. */
    hangUpWhen?: (text: string) => boolean;
    /** Certificates a wss:// channel is checked against (fedgate's private CA). */
    ca?: string | Buffer;
  } = {},
): Promise<ExecResult> {
  const ws = new WebSocket(streamUrl, options.ca === undefined ? {} : { ca: options.ca });
  await once(ws, 'open');
  let output = '';
  let closed = false;

  const stream = new StreamSession({
    outgoingType: MessageType.InputStreamData,
    send: (frame) => ws.readyState === ws.OPEN && ws.send(frame, { binary: true }),
    deliver: (message: ClientMessage) => {
      if (message.payloadType === PayloadType.HandshakeRequest) {
        stream.sendData(PayloadType.HandshakeResponse, handshakeResponse());
        stream.sendData(PayloadType.Size, Buffer.from(JSON.stringify({ cols: 80, rows: 24 })));
        if (options.input) stream.sendData(PayloadType.Output, Buffer.from(options.input));
      } else if (message.payloadType === PayloadType.Output) {
        output += message.payload.toString('utf8');
        options.onOutput?.(output);
        if (options.hangUpWhen?.(output)) ws.close();
      }
    },
  });
  ws.on('message', (data: Buffer) => {
    const message = decodeMessage(data);
    if (stream.receive(message)) return;
    if (message.messageType === MessageType.ChannelClosed) {
      parseChannelClosed(message);
      closed = true;
    }
  });
  ws.send(JSON.stringify(openingFrame(tokenValue)));

  const [code] = (await once(ws, 'close')) as [number];
  stream.close();
  return { output, channelClosed: closed, closeCode: code };
}

function openingFrame(tokenValue: string) {
  return {
    MessageSchemaVersion: '1.0',
    RequestId: randomUUID(),
    TokenValue: tokenValue,
    ClientId: randomUUID(),
    ClientVersion: '1.2.0.0',
  };
}

function handshakeResponse(): Buffer {
  const response = {
    ClientVersion: '1.2.0.0',
    ProcessedClientActions: [{ ActionType: 'SessionType', ActionStatus: 1 }],
    Errors: [],
  };
  return Buffer.from(JSON.stringify(response));
}
