import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  acknowledgeFor,
  channelClosed,
  decodeMessage,
  encodeMessage,
  Flag,
  HEADER_LENGTH,
  MessageType,
  parseAcknowledge,
  parseChannelClosed,
  PayloadType,
  WireFormatError,
  type MessageInput,
} from '../../src/exec/wire.js';

const MESSAGE_ID = '00112233-4455-6677-8899-aabbccddeeff';

function sample(overrides: Partial<MessageInput> = {}): MessageInput {
  return {
    messageType: MessageType.OutputStreamData,
    createdDate: 1_764_000_000_123,
    sequenceNumber: 7,
    flags: Flag.Syn,
    messageId: MESSAGE_ID,
    payloadType: PayloadType.Output,
    payload: Buffer.from('1\n'),
    ...overrides,
  };
}

function rejects(frame: Buffer, reason: string): void {
  assert.throws(
    () => decodeMessage(frame),
    (error: unknown) => error instanceof WireFormatError && error.reason === reason,
  );
}

describe('encodeMessage', () => {
  it('lays the header out as the spec tables it', () => {
    const frame = encodeMessage(sample());
    assert.equal(frame.length, 120 + 2);
    assert.equal(frame.readUInt32BE(0), HEADER_LENGTH);
    assert.equal(frame.subarray(4, 36).toString('ascii'), 'output_stream_data'.padEnd(32, ' '));
    assert.equal(frame.readUInt32BE(36), 1);
    assert.equal(frame.readBigUInt64BE(40), 1_764_000_000_123n);
    assert.equal(frame.readBigInt64BE(48), 7n);
    assert.equal(frame.readBigUInt64BE(56), 1n);
    assert.deepEqual(frame.subarray(80, 112), createHash('sha256').update('1\n').digest());
    assert.equal(frame.readUInt32BE(112), 1);
    assert.equal(frame.readUInt32BE(116), 2);
    assert.equal(frame.subarray(120).toString(), '1\n');
  });

  it('writes the MessageId with its low 8 bytes first, then the high 8', () => {
    const frame = encodeMessage(sample());
    assert.equal(frame.subarray(64, 80).toString('hex'), '8899aabbccddeeff0011223344556677');
  });
});

describe('decodeMessage', () => {
  it('round-trips every field', () => {
    const input = sample({ payload: Buffer.from([0, 1, 2, 255]) });
    assert.deepEqual(decodeMessage(encodeMessage(input)), { schemaVersion: 1, ...input });
  });

  it('reads the MessageId back into its hyphenated form', () => {
    const wire = Buffer.from('8899aabbccddeeff0011223344556677', 'hex');
    const frame = encodeMessage(sample());
    wire.copy(frame, 64);
    assert.equal(decodeMessage(frame).messageId, MESSAGE_ID);
  });

  it('accepts an empty payload whatever its digest', () => {
    const frame = encodeMessage(sample({ payload: Buffer.alloc(0) }));
    frame.fill(0, 80, 112);
    assert.equal(decodeMessage(frame).payload.length, 0);
  });

  it('rejects a payload whose digest does not match', () => {
    const frame = encodeMessage(sample());
    frame[120] = 0x32;
    rejects(frame, 'DigestMismatch');
  });

  it('rejects HeaderLength 0', () => {
    const frame = encodeMessage(sample());
    frame.writeUInt32BE(0, 0);
    rejects(frame, 'HeaderLength');
  });

  it('rejects an empty MessageType', () => {
    const frame = encodeMessage(sample());
    frame.fill(0x20, 4, 36);
    rejects(frame, 'EmptyMessageType');
  });

  it('rejects CreatedDate 0', () => {
    rejects(encodeMessage(sample({ createdDate: 0 })), 'CreatedDate');
  });

  it('rejects truncated frames', () => {
    const frame = encodeMessage(sample());
    rejects(frame.subarray(0, 100), 'Truncated');
    rejects(frame.subarray(0, frame.length - 1), 'Truncated');
  });
});

describe('acknowledgeFor', () => {
  it('acknowledges with SchemaVersion 1, SequenceNumber 0, Flags 3 and the spec JSON', () => {
    const ack = decodeMessage(acknowledgeFor(decodeMessage(encodeMessage(sample()))));
    assert.equal(ack.messageType, MessageType.Acknowledge);
    assert.equal(ack.schemaVersion, 1);
    assert.equal(ack.sequenceNumber, 0);
    assert.equal(ack.flags, 3);
    assert.deepEqual(JSON.parse(ack.payload.toString()), {
      AcknowledgedMessageType: 'output_stream_data',
      AcknowledgedMessageId: MESSAGE_ID,
      AcknowledgedMessageSequenceNumber: 7,
      IsSequentialMessage: true,
    });
    assert.equal(parseAcknowledge(ack).AcknowledgedMessageSequenceNumber, 7);
  });
});

describe('channelClosed', () => {
  it('carries the session id and output in its JSON payload', () => {
    const message = decodeMessage(
      channelClosed({ sessionId: 'ecs-execute-command-1', output: 'bye' }),
    );
    assert.equal(message.messageType, MessageType.ChannelClosed);
    const content = JSON.parse(message.payload.toString());
    assert.equal(content.MessageType, 'channel_closed');
    assert.equal(content.SchemaVersion, 1);
    assert.equal(content.MessageId, message.messageId);
    assert.deepEqual(parseChannelClosed(message), {
      SessionId: 'ecs-execute-command-1',
      Output: 'bye',
    });
  });
});
