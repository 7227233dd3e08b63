import { randomUUID } from 'node:crypto';
import {
  acknowledgeFor,
  encodeMessage,
  Flag,
  MessageType,
  parseAcknowledge,
  WireFormatError,
  type ClientMessage,
} from './wire.js';

/** Where a {@link StreamSession} schedules resends, so tests can drive time by hand. */
export interface StreamTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Epoch milliseconds. */
  now(): number;
}

/** The process's own timers; resend timers never keep it alive. */
export const systemTimers: StreamTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/** What a {@link StreamSession} needs from its transport and its owner. */
export interface StreamSessionOptions {
  /** This side's stream MessageType: input_stream_data (client), output_stream_data (server). */
  readonly outgoingType: string;
  /** Writes one binary frame to the peer. */
  readonly send: (frame: Buffer) => void;
  /** Receives the peer's stream messages once each, in sequence order. */
  readonly deliver: (message: ClientMessage) => void;
  /** Called when a message stays unacknowledged after every resend; the channel is dead. */
  readonly onResendFailure?: (message: ClientMessage) => void;
  readonly timers?: StreamTimers;
}

interface Unacked {
  readonly message: ClientMessage;
  readonly frame: Buffer;
  readonly firstSentAt: number;
  attempts: number;
  timeoutMs: number;
  timer: unknown;
}

/** AWS's plugin waits this long before its first resend, before it has measured a round trip. */
export const INITIAL_RESEND_MS = 200;
/** Resends never wait longer than this. */
export const MAX_RESEND_MS = 1000;
/** A floor for the retransmission timeout on fast links, as in RFC 6298's clock granularity. */
const CLOCK_GRANULARITY_MS = 10;
/** AWS's plugin gives up on a message after this many resends. */
const MAX_RESEND_ATTEMPTS = 3000;
/** Early messages held for reordering; beyond this they go unacknowledged so the peer resends. */
const INCOMING_BUFFER_CAPACITY = 10_000;
/** RFC 6298 smoothing factors, which AWS's plugin also uses. */
const RTT_ALPHA = 1 / 8;
const RTT_BETA = 1 / 4;

/**
 * The reliable, ordered stream over a data channel, independent of the
 * transport. Outgoing: sequence numbers from 0, SYN on the first, each kept
 * until acknowledged and resent meanwhile. Incoming: every stream message is
 * acknowledged; delivery is in order, early ones wait, duplicates are dropped.
 */
export class StreamSession {
  private readonly timers: StreamTimers;
  private readonly unacked = new Map<number, Unacked>();
  private readonly early = new Map<number, ClientMessage>();
  private nextOutgoing = 0;
  private expectedIncoming = 0;
  private smoothedRtt: number | undefined;
  private rttVariation = 0;
  private resendTimeoutMs = INITIAL_RESEND_MS;
  private closed = false;

  constructor(private readonly options: StreamSessionOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  /** Sends one stream message and keeps it for resending until the peer acknowledges it. */
  sendData(payloadType: number, payload: Buffer): ClientMessage {
    const sequenceNumber = this.nextOutgoing++;
    const message: ClientMessage = {
      messageType: this.options.outgoingType,
      schemaVersion: 1,
      createdDate: this.timers.now(),
      sequenceNumber,
      flags: sequenceNumber === 0 ? Flag.Syn : Flag.None,
      messageId: randomUUID(),
      payloadType,
      payload,
    };
    const frame = encodeMessage(message);
    const entry: Unacked = {
      message,
      frame,
      firstSentAt: this.timers.now(),
      attempts: 0,
      timeoutMs: this.resendTimeoutMs,
      timer: undefined,
    };
    this.unacked.set(sequenceNumber, entry);
    this.options.send(frame);
    this.schedule(entry);
    return message;
  }

  /**
   * Handles a decoded message from the peer. Acknowledgements and stream data
   * are consumed (true); anything else — channel_closed, start/pause_publication —
   * is left to the caller (false).
   */
  receive(message: ClientMessage): boolean {
    if (message.messageType === MessageType.Acknowledge) {
      this.onAcknowledge(message);
      return true;
    }
    if (!isStreamData(message.messageType)) return false;
    this.incoming(message);
    return true;
  }

  /** Messages sent but not yet acknowledged. */
  get unacknowledged(): number {
    return this.unacked.size;
  }

  /** The current retransmission timeout in milliseconds. */
  get resendTimeout(): number {
    return this.resendTimeoutMs;
  }

  /** Stops resending; later sends and receipts are ignored by the timers. */
  close(): void {
    this.closed = true;
    for (const entry of this.unacked.values()) this.timers.clearTimeout(entry.timer);
    this.unacked.clear();
    this.early.clear();
  }

  private incoming(message: ClientMessage): void {
    const seq = message.sequenceNumber;
    if (seq > this.expectedIncoming && !this.early.has(seq)) {
      // Unacknowledged when full, so the peer resends it once there is room.
      if (this.early.size >= INCOMING_BUFFER_CAPACITY) return;
      this.early.set(seq, message);
    }
    // Duplicates are acknowledged too: the peer resends until it hears an ack.
    this.options.send(acknowledgeFor(message, this.timers.now()));
    if (seq === this.expectedIncoming) this.deliverInOrder(message);
  }

  private deliverInOrder(first: ClientMessage): void {
    let next: ClientMessage | undefined = first;
    while (next && !this.closed) {
      this.early.delete(this.expectedIncoming);
      this.expectedIncoming++;
      this.options.deliver(next);
      next = this.early.get(this.expectedIncoming);
    }
  }

  private onAcknowledge(message: ClientMessage): void {
    try {
      this.acknowledged(parseAcknowledge(message).AcknowledgedMessageSequenceNumber);
    } catch (error) {
      // A malformed ack acknowledges nothing; the resend covers for it.
      if (!(error instanceof WireFormatError)) throw error;
    }
  }

  private acknowledged(sequenceNumber: number): void {
    const entry = this.unacked.get(sequenceNumber);
    if (!entry) return;
    this.timers.clearTimeout(entry.timer);
    this.unacked.delete(sequenceNumber);
    // Karn's rule: a resent message's round trip is ambiguous, so it is not measured.
    if (entry.attempts === 0) this.measure(this.timers.now() - entry.firstSentAt);
  }

  private measure(rtt: number): void {
    if (this.smoothedRtt === undefined) {
      this.smoothedRtt = rtt;
      this.rttVariation = rtt / 2;
    } else {
      this.rttVariation =
        (1 - RTT_BETA) * this.rttVariation + RTT_BETA * Math.abs(this.smoothedRtt - rtt);
      this.smoothedRtt = (1 - RTT_ALPHA) * this.smoothedRtt + RTT_ALPHA * rtt;
    }
    const timeout = this.smoothedRtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.rttVariation);
    this.resendTimeoutMs = Math.min(MAX_RESEND_MS, Math.ceil(timeout));
  }

  private schedule(entry: Unacked): void {
    entry.timer = this.timers.setTimeout(() => this.resend(entry), entry.timeoutMs);
  }

  private resend(entry: Unacked): void {
    if (this.closed || !this.unacked.has(entry.message.sequenceNumber)) return;
    if (entry.attempts >= MAX_RESEND_ATTEMPTS) {
      this.unacked.delete(entry.message.sequenceNumber);
      this.options.onResendFailure?.(entry.message);
      return;
    }
    entry.attempts++;
    // Back off while unanswered, but never past the cap.
    entry.timeoutMs = Math.min(MAX_RESEND_MS, entry.timeoutMs * 2);
    this.options.send(entry.frame);
    this.schedule(entry);
  }
}

function isStreamData(messageType: string): boolean {
  return (
    messageType === MessageType.InputStreamData || messageType === MessageType.OutputStreamData
  );
}
