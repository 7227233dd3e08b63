import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../util/clock.js';

/** What an ECS Exec session runs, fixed when ExecuteCommand answers. */
export interface ExecTarget {
  readonly accountId: string;
  readonly region: string;
  readonly clusterArn: string;
  readonly taskArn: string;
  readonly containerName: string;
  /** The container's sandboxed process on this host, entered with nsenter. */
  readonly pid: number;
  readonly command: string;
}

/** A session as ExecuteCommand hands it out. */
export interface IssuedSession {
  readonly sessionId: string;
  readonly tokenValue: string;
}

/** A session whose token was redeemed by the data channel. */
export interface OpenedSession extends ExecTarget {
  readonly sessionId: string;
  readonly startedAt: Date;
}

interface PendingSession {
  readonly target: ExecTarget;
  readonly tokenHash: Buffer;
  readonly expiresAt: number;
}

/** AWS's session tokens are short-lived; a data channel must connect within this. */
const TOKEN_LIFETIME_MS = 60_000;

/**
 * ECS Exec sessions between ExecuteCommand and the data channel. A token is
 * random, kept only as its hash, bound to one session (and so to one account
 * and task), usable once, and void after a minute.
 */
export class ExecSessions {
  private readonly pending = new Map<string, PendingSession>();
  private readonly open = new Map<string, OpenedSession>();

  constructor(private readonly clock: Clock) {}

  /** Issues a session for `target`; its token is shown only in this answer. */
  issue(target: ExecTarget): IssuedSession {
    this.forgetExpired();
    const sessionId = `ecs-execute-command-${randomBytes(9).toString('hex')}`;
    const tokenValue = randomBytes(32).toString('base64url');
    const expiresAt = this.clock.now().getTime() + TOKEN_LIFETIME_MS;
    this.pending.set(sessionId, { target, tokenHash: hash(tokenValue), expiresAt });
    return { sessionId, tokenValue };
  }

  /** Redeems a token: the session when it matches and is fresh, else undefined. Single use. */
  redeem(sessionId: string, tokenValue: string): OpenedSession | undefined {
    const pending = this.pending.get(sessionId);
    this.pending.delete(sessionId);
    if (!pending || pending.expiresAt < this.clock.now().getTime()) return undefined;
    if (!timingSafeEqual(pending.tokenHash, hash(tokenValue))) return undefined;

    const session = { ...pending.target, sessionId, startedAt: this.clock.now() };
    this.open.set(sessionId, session);
    return session;
  }

  /** Marks a session ended. */
  close(sessionId: string): void {
    this.open.delete(sessionId);
  }

  /** Sessions with a connected data channel, for `fedgate sessions` and for ending them with their task. */
  list(): OpenedSession[] {
    return [...this.open.values()];
  }

  private forgetExpired(): void {
    const now = this.clock.now().getTime();
    for (const [id, session] of this.pending) if (session.expiresAt < now) this.pending.delete(id);
  }
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
