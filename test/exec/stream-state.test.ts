import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INITIAL_RESEND_MS,
  MAX_RESEND_MS,
  StreamSession,
  type StreamTimers,
} from '../../src/exec/stream-state.js';
import {
  acknowledgeFor,
  decodeMessage,
  encodeMessage,
  Flag,
  MessageType,
  parseAcknowledge,
  PayloadType,
  type ClientMessage,
} from '../../src/exec/wire.js';

/** Timers a test advances by hand. */
class ManualTimers implements StreamTimers {
  private time = 1_764_000_000_000;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at);
      const first = due[0];
      if (!first) break;
      this.pending.delete(first[0]);
      this.time = first[1].at;
      first[1].callback();
    }
    this.time = until;
  }
}

function harness() {
  const timers = new ManualTimers();
  const sent: ClientMessage[] = [];
  const delivered: string[] = [];
  const session = new StreamSession({
    outgoingType: MessageType.InputStreamData,
    send: (frame) => sent.push(decodeMessage(frame)),
    deliver: (message) => delivered.push(message.payload.toString()),
    timers,
  });
  return { timers, sent, delivered, session };
}

function output(sequenceNumber: number, text: string, messageId?: string): ClientMessage {
  return decodeMessage(
    encodeMessage({
      messageType: MessageType.OutputStreamData,
      sequenceNumber,
      flags: sequenceNumber === 0 ? Flag.Syn : Flag.None,
      payloadType: PayloadType.Output,
      payload: Buffer.from(text),
      ...(messageId ? { messageId } : {}),
    }),
  );
}

function ackedSequences(sent: ClientMessage[]): number[] {
  return sent
    .filter((m) => m.messageType === MessageType.Acknowledge)
    .map((m) => parseAcknowledge(m).AcknowledgedMessageSequenceNumber);
}

describe('StreamSession outgoing', () => {
  it('numbers messages from 0 and sets SYN on the first only', () => {
    const { sent, session } = harness();
    session.sendData(PayloadType.Output, Buffer.from('a'));
    session.sendData(PayloadType.Output, Buffer.from('b'));
    assert.deepEqual(
      sent.map((m) => [m.messageType, m.sequenceNumber, m.flags]),
      [
        ['input_stream_data', 0, Flag.Syn],
        ['input_stream_data', 1, Flag.None],
      ],
    );
  });

  it('resends an unacknowledged message until it is acknowledged', () => {
    const { timers, sent, session } = harness();
    const message = session.sendData(PayloadType.Output, Buffer.from('ls\r'));
    timers.advance(INITIAL_RESEND_MS - 1);
    assert.equal(sent.length, 1);
    timers.advance(1);
    assert.equal(sent.length, 2);
    timers.advance(5_000);
    const resent = sent.length;
    assert.ok(resent >= 5, `expected several resends, saw ${resent}`);
    assert.ok(sent.every((m) => m.messageId === message.messageId));

    session.receive(decodeMessage(acknowledgeFor(message)));
    timers.advance(10_000);
    assert.equal(sent.length, resent);
    assert.equal(session.unacknowledged, 0);
  });

  it('never waits more than the cap between resends', () => {
    const { timers, sent, session } = harness();
    session.sendData(PayloadType.Output, Buffer.from('x'));
    timers.advance(10_000);
    const before = sent.length;
    timers.advance(MAX_RESEND_MS);
    assert.equal(sent.length, before + 1);
  });

  it('ignores a malformed acknowledgement and keeps resending', () => {
    const { timers, sent, session } = harness();
    session.sendData(PayloadType.Output, Buffer.from('x'));
    const garbage = encodeMessage({
      messageType: MessageType.Acknowledge,
      sequenceNumber: 0,
      flags: Flag.Ack,
      payloadType: 0,
      payload: Buffer.from('not json'),
    });
    assert.equal(session.receive(decodeMessage(garbage)), true);
    timers.advance(INITIAL_RESEND_MS);
    assert.equal(sent.length, 2);
    assert.equal(session.unacknowledged, 1);
  });

  it('adapts its resend timeout to the measured round trip', () => {
    const { timers, session } = harness();
    for (let i = 0; i < 20; i++) {
      const message = session.sendData(PayloadType.Output, Buffer.from('x'));
      timers.advance(20);
      session.receive(decodeMessage(acknowledgeFor(message)));
    }
    assert.ok(session.resendTimeout < INITIAL_RESEND_MS, `timeout ${session.resendTimeout}`);
    assert.ok(session.resendTimeout >= 20);
  });
});

describe('StreamSession incoming', () => {
  it('delivers in order, holding messages that arrive early', () => {
    const { sent, delivered, session } = harness();
    session.receive(output(2, 'c'));
    session.receive(output(1, 'b'));
    assert.deepEqual(delivered, []);
    session.receive(output(0, 'a'));
    assert.deepEqual(delivered, ['a', 'b', 'c']);
    assert.deepEqual(ackedSequences(sent), [2, 1, 0]);
  });

  it('drops duplicates but still acknowledges them', () => {
    const { sent, delivered, session } = harness();
    const first = output(0, 'a');
    session.receive(first);
    session.receive(first);
    session.receive(output(2, 'c'));
    session.receive(output(2, 'c'));
    session.receive(output(1, 'b'));
    assert.deepEqual(delivered, ['a', 'b', 'c']);
    assert.deepEqual(ackedSequences(sent), [0, 0, 2, 2, 1]);
  });

  it('leaves channel_closed to its owner', () => {
    const { session } = harness();
    const closed = decodeMessage(
      encodeMessage({
        messageType: MessageType.ChannelClosed,
        sequenceNumber: 0,
        flags: 0,
        payloadType: 0,
        payload: Buffer.from('{}'),
      }),
    );
    assert.equal(session.receive(closed), false);
  });
});
