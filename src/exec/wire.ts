import { createHash, randomUUID } from 'node:crypto';

/*
 * The Session Manager data-channel message, shared by fedgate's server and its
 * session-manager-plugin, as AWS's Session Manager protocol lays it out. Big-endian:
 *
 * | offset | size | field                                            |
 * |--------|------|--------------------------------------------------|
 * | 0      | 4    | HeaderLength = 116                               |
 * | 4      | 32   | MessageType, ASCII, space-padded                 |
 * | 36     | 4    | SchemaVersion = 1                                |
 * | 40     | 8    | CreatedDate, epoch ms                            |
 * | 48     | 8    | SequenceNumber (int64)                           |
 * | 56     | 8    | Flags: bit0 SYN, bit1 FIN                        |
 * | 64     | 16   | MessageId: UUID, low 8 bytes first, then high 8  |
 * | 80     | 32   | SHA-256 of the payload                           |
 * | 112    | 4    | PayloadType                                      |
 * | 116    | 4    | PayloadLength                                    |
 * | 120    | …    | Payload                                          |
 */

/** HeaderLength as AWS writes it: the offset of PayloadLength, not of the payload. */
export const HEADER_LENGTH = 116;
const MESSAGE_TYPE_OFFSET = 4;
const MESSAGE_TYPE_LENGTH = 32;
const SCHEMA_VERSION_OFFSET = 36;
const CREATED_DATE_OFFSET = 40;
const SEQUENCE_NUMBER_OFFSET = 48;
const FLAGS_OFFSET = 56;
const MESSAGE_ID_OFFSET = 64;
const PAYLOAD_DIGEST_OFFSET = 80;
const PAYLOAD_DIGEST_LENGTH = 32;
const PAYLOAD_TYPE_OFFSET = 112;
/** PayloadLength sits at HeaderLength; the payload follows its 4 bytes. */
const PAYLOAD_LENGTH_LENGTH = 4;

/** The MessageType values of the data channel. */
export const MessageType = {
  /** Client → server stream data (stdin, terminal size, handshake response). */
  InputStreamData: 'input_stream_data',
  /** Server → client stream data (output, handshake request and completion). */
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
} as const;

/** One of {@link MessageType}'s values. */
export type MessageTypeName = (typeof MessageType)[keyof typeof MessageType];

/** The PayloadType values, numbered as the spec numbers them. */
export const PayloadType = {
  Output: 1,
  Error: 2,
  /** `{"cols":N,"rows":N}` */
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  /** A 4-byte value, one of {@link PayloadFlag}. */
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

/** The 4-byte values a PayloadType.Flag payload carries. */
export const PayloadFlag = {
  DisconnectToPort: 1,
  TerminateSession: 2,
  ConnectToPortError: 3,
} as const;

/** Header Flags bits: bit0 SYN marks a side's first stream message, bit1 FIN its last. */
export const Flag = {
  None: 0,
  Syn: 1,
  Fin: 2,
  /** What acknowledgements carry (SYN|FIN), as AWS's agent and plugin write them. */
  Ack: 3,
} as const;

/** A decoded data-channel message. */
export interface ClientMessage {
  readonly messageType: string;
  readonly schemaVersion: number;
  /** Epoch milliseconds. */
  readonly createdDate: number;
  readonly sequenceNumber: number;
  readonly flags: number;
  /** Hyphenated lowercase UUID. */
  readonly messageId: string;
  readonly payloadType: number;
  readonly payload: Buffer;
}

/** What {@link encodeMessage} needs; the optional fields default sensibly. */
export interface MessageInput {
  readonly messageType: string;
  /** Defaults to 1, the only version there is. */
  readonly schemaVersion?: number;
  /** Epoch milliseconds; defaults to now. */
  readonly createdDate?: number;
  readonly sequenceNumber: number;
  readonly flags: number;
  /** Defaults to a fresh random UUID. */
  readonly messageId?: string;
  readonly payloadType: number;
  readonly payload: Buffer;
}

/** Why a frame was rejected. */
export type WireErrorReason =
  | 'Truncated'
  | 'HeaderLength'
  | 'EmptyMessageType'
  | 'CreatedDate'
  | 'DigestMismatch'
  | 'InvalidPayload';

/** A frame that is not a valid data-channel message. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';

  constructor(
    readonly reason: WireErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Serializes a message into one binary WebSocket frame. */
export function encodeMessage(input: MessageInput): Buffer {
  const buf = Buffer.alloc(HEADER_LENGTH + PAYLOAD_LENGTH_LENGTH + input.payload.length);
  buf.writeUInt32BE(HEADER_LENGTH, 0);
  writeMessageType(buf, input.messageType);
  buf.writeUInt32BE(input.schemaVersion ?? 1, SCHEMA_VERSION_OFFSET);
  buf.writeBigUInt64BE(BigInt(input.createdDate ?? Date.now()), CREATED_DATE_OFFSET);
  buf.writeBigInt64BE(BigInt(input.sequenceNumber), SEQUENCE_NUMBER_OFFSET);
  buf.writeBigUInt64BE(BigInt(input.flags), FLAGS_OFFSET);
  uuidToWire(input.messageId ?? randomUUID()).copy(buf, MESSAGE_ID_OFFSET);
  sha256(input.payload).copy(buf, PAYLOAD_DIGEST_OFFSET);
  buf.writeUInt32BE(input.payloadType, PAYLOAD_TYPE_OFFSET);
  buf.writeUInt32BE(input.payload.length, HEADER_LENGTH);
  input.payload.copy(buf, HEADER_LENGTH + PAYLOAD_LENGTH_LENGTH);
  return buf;
}

/** Parses and validates one binary frame; throws {@link WireFormatError} when it is invalid. */
export function decodeMessage(buf: Buffer): ClientMessage {
  if (buf.length < HEADER_LENGTH + PAYLOAD_LENGTH_LENGTH) {
    throw new WireFormatError('Truncated', `frame of ${buf.length} bytes is shorter than a header`);
  }
  // AWS's decoder reads PayloadLength at HeaderLength, so a longer header would still parse.
  const headerLength = buf.readUInt32BE(0);
  if (headerLength < HEADER_LENGTH) {
    throw new WireFormatError('HeaderLength', `invalid HeaderLength ${headerLength}`);
  }
  const message = readHeader(buf);
  const payload = readPayload(buf, headerLength);
  if (payload.length > 0 && !sha256(payload).equals(payloadDigest(buf))) {
    throw new WireFormatError('DigestMismatch', 'payload digest does not match the payload');
  }
  return { ...message, payload };
}

function readHeader(buf: Buffer): Omit<ClientMessage, 'payload'> {
  const messageType = buf
    .subarray(MESSAGE_TYPE_OFFSET, MESSAGE_TYPE_OFFSET + MESSAGE_TYPE_LENGTH)
    .toString('ascii')
    .replace(/[ \0]+$/, '');
  if (messageType === '') throw new WireFormatError('EmptyMessageType', 'empty MessageType');

  const createdDate = Number(buf.readBigUInt64BE(CREATED_DATE_OFFSET));
  if (createdDate === 0) throw new WireFormatError('CreatedDate', 'CreatedDate is 0');

  return {
    messageType,
    schemaVersion: buf.readUInt32BE(SCHEMA_VERSION_OFFSET),
    createdDate,
    sequenceNumber: Number(buf.readBigInt64BE(SEQUENCE_NUMBER_OFFSET)),
    flags: Number(buf.readBigUInt64BE(FLAGS_OFFSET)),
    messageId: uuidFromWire(buf.subarray(MESSAGE_ID_OFFSET, MESSAGE_ID_OFFSET + 16)),
    payloadType: buf.readUInt32BE(PAYLOAD_TYPE_OFFSET),
  };
}

function readPayload(buf: Buffer, headerLength: number): Buffer {
  if (buf.length < headerLength + PAYLOAD_LENGTH_LENGTH) {
    throw new WireFormatError('Truncated', 'frame ends before PayloadLength');
  }
  const length = buf.readUInt32BE(headerLength);
  const start = headerLength + PAYLOAD_LENGTH_LENGTH;
  if (buf.length < start + length) {
    throw new WireFormatError('Truncated', `payload of ${length} bytes is cut short`);
  }
  return Buffer.from(buf.subarray(start, start + length));
}

function payloadDigest(buf: Buffer): Buffer {
  return buf.subarray(PAYLOAD_DIGEST_OFFSET, PAYLOAD_DIGEST_OFFSET + PAYLOAD_DIGEST_LENGTH);
}

function writeMessageType(buf: Buffer, messageType: string): void {
  if (messageType.length === 0 || messageType.length > MESSAGE_TYPE_LENGTH) {
    throw new RangeError(`MessageType must be 1..32 characters: '${messageType}'`);
  }
  buf.write(messageType.padEnd(MESSAGE_TYPE_LENGTH, ' '), MESSAGE_TYPE_OFFSET, 'ascii');
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** A UUID's 16 bytes in wire order: its low (last) 8 bytes first, then its high 8. */
export function uuidToWire(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: '${uuid}'`);
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.concat([bytes.subarray(8), bytes.subarray(0, 8)]);
}

/** The hyphenated UUID from its 16 wire bytes (see {@link uuidToWire}). */
export function uuidFromWire(wire: Buffer): string {
  const hex = Buffer.concat([wire.subarray(8, 16), wire.subarray(0, 8)]).toString('hex');
  // 8-4-4-4-12 hex digits, the canonical text form.
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...groups, hex.slice(20)].join('-');
}

/** The JSON payload of an `acknowledge` message. */
export interface AcknowledgeContent {
  readonly AcknowledgedMessageType: string;
  readonly AcknowledgedMessageId: string;
  readonly AcknowledgedMessageSequenceNumber: number;
  readonly IsSequentialMessage: boolean;
}

/** The encoded `acknowledge` for a stream message: SchemaVersion 1, SequenceNumber 0, Flags 3. */
export function acknowledgeFor(message: ClientMessage, createdDate = Date.now()): Buffer {
  const content: AcknowledgeContent = {
    AcknowledgedMessageType: message.messageType,
    AcknowledgedMessageId: message.messageId,
    AcknowledgedMessageSequenceNumber: message.sequenceNumber,
    IsSequentialMessage: true,
  };
  return encodeMessage({
    messageType: MessageType.Acknowledge,
    createdDate,
    sequenceNumber: 0,
    flags: Flag.Ack,
    // AWS's plugin leaves PayloadType unset on acknowledgements.
    payloadType: 0,
    payload: Buffer.from(JSON.stringify(content)),
  });
}

/** The content of an `acknowledge` message; throws when its payload is not one. */
export function parseAcknowledge(message: ClientMessage): AcknowledgeContent {
  const content = jsonPayload(message.payload);
  if (!isRecord(content) || typeof content.AcknowledgedMessageSequenceNumber !== 'number') {
    throw new WireFormatError('InvalidPayload', 'acknowledge payload lacks a sequence number');
  }
  return {
    AcknowledgedMessageType: String(content.AcknowledgedMessageType ?? ''),
    AcknowledgedMessageId: String(content.AcknowledgedMessageId ?? ''),
    AcknowledgedMessageSequenceNumber: content.AcknowledgedMessageSequenceNumber,
    IsSequentialMessage: content.IsSequentialMessage === true,
  };
}

/** The JSON payload of a `channel_closed` message. */
export interface ChannelClosedContent {
  readonly MessageId: string;
  readonly CreatedDate: string;
  readonly DestinationId: string;
  readonly SessionId: string;
  readonly MessageType: 'channel_closed';
  readonly SchemaVersion: 1;
  /** Shown by the client instead of its "Exiting session" line when not empty. */
  readonly Output: string;
}

/** What {@link channelClosed} needs. */
export interface ChannelClosedInput {
  readonly sessionId: string;
  readonly output?: string;
  readonly destinationId?: string;
  /** Epoch milliseconds; defaults to now. */
  readonly createdDate?: number;
}

/** The encoded `channel_closed` message that ends a session. */
export function channelClosed(input: ChannelClosedInput): Buffer {
  const messageId = randomUUID();
  const createdDate = input.createdDate ?? Date.now();
  const content: ChannelClosedContent = {
    MessageId: messageId,
    CreatedDate: new Date(createdDate).toISOString(),
    DestinationId: input.destinationId ?? '',
    SessionId: input.sessionId,
    MessageType: MessageType.ChannelClosed,
    SchemaVersion: 1,
    Output: input.output ?? '',
  };
  return encodeMessage({
    messageType: MessageType.ChannelClosed,
    createdDate,
    sequenceNumber: 0,
    flags: Flag.None,
    messageId,
    payloadType: 0,
    payload: Buffer.from(JSON.stringify(content)),
  });
}

/** The content of a `channel_closed` message; missing fields read as empty. */
export function parseChannelClosed(
  message: ClientMessage,
): Pick<ChannelClosedContent, 'SessionId' | 'Output'> {
  const content = jsonPayload(message.payload);
  const record = isRecord(content) ? content : {};
  return { SessionId: String(record.SessionId ?? ''), Output: String(record.Output ?? '') };
}

/** A payload's JSON, or undefined when it is not JSON: a bad payload must not crash a channel. */
export function jsonPayload(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
