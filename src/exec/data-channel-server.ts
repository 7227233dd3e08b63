import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { DATA_CHANNEL_PATH } from '../services/ecs/execute-command.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../util/clock.js';
import { ExecChannel, rawBytes } from './exec-channel.js';
import { logSessionEnd, logSessionStart } from './session-log.js';
import type { ExecSessions, OpenedSession } from './sessions.js';

/** What the data channel uses. */
export interface DataChannelDeps {
  readonly sessions: ExecSessions;
  readonly commits: GroupCommit;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** WebSocket close code 1008: the token was wrong, reused or expired. */
const POLICY_VIOLATION = 1008;

/** How long a client has to send its token frame after connecting. */
const OPEN_TIMEOUT_MS = 10_000;

/**
 * Serves `/v1/data-channel/<sessionId>` on the API's own HTTP server (and its HTTPS server, as
 * wss://): the Session Manager data channel that ExecuteCommand's `streamUrl` names. Other
 * upgrade requests are refused. Returns a function that ends every open session (for shutdown).
 */
export function attachDataChannel(server: Server | HttpsServer, deps: DataChannelDeps): () => void {
  const wss = new WebSocketServer({ noServer: true });
  const channels = new Set<ExecChannel>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const sessionId = sessionIdOf(req.url);
    if (sessionId === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void accept(deps, ws, sessionId, channels));
  });

  return () => {
    for (const channel of channels) channel.end('fedgate is shutting down');
    wss.close();
  };
}

function sessionIdOf(url: string | undefined): string | undefined {
  const path = (url ?? '').split('?')[0] ?? '';
  if (!path.startsWith(DATA_CHANNEL_PATH)) return undefined;
  const id = path.slice(DATA_CHANNEL_PATH.length);
  return /^[\w-]{1,128}$/.test(id) ? id : undefined;
}

/** Reads the opening text frame, redeems its token and runs the session. */
async function accept(
  deps: DataChannelDeps,
  ws: WebSocket,
  sessionId: string,
  channels: Set<ExecChannel>,
): Promise<void> {
  const token = await openingToken(ws);
  const session = token === undefined ? undefined : deps.sessions.redeem(sessionId, token);
  if (!session) {
    // The token itself is never logged: a wrong one may be a typo of a real one.
    deps.logger.warn({ sessionId }, 'data channel refused: bad, reused or expired token');
    ws.close(POLICY_VIOLATION, 'invalid token');
    return;
  }

  const channel = new ExecChannel(ws, session, deps.clock);
  channels.add(channel);
  await started(deps, session);
  const reason = await channel.run();
  channels.delete(channel);
  await ended(deps, session, reason);
}

/** The TokenValue of the client's first (text) frame; undefined if it is anything else. */
function openingToken(ws: WebSocket): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS);
    ws.once('message', (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      resolve(isBinary ? undefined : tokenOf(rawText(data)));
    });
    ws.once('close', () => resolve(undefined));
  });
}

function tokenOf(text: string): string | undefined {
  try {
    const opening: unknown = JSON.parse(text);
    if (typeof opening !== 'object' || opening === null) return undefined;
    const token = (opening as { TokenValue?: unknown }).TokenValue;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

function rawText(data: RawData): string {
  return rawBytes(data).toString('utf8');
}

async function started(deps: DataChannelDeps, session: OpenedSession): Promise<void> {
  deps.logger.info(describe(session), 'exec session started');
  await deps.commits
    .run((db) => logSessionStart(db, session))
    .catch((err: unknown) => deps.logger.error({ err }, 'exec session log failed'));
}

async function ended(deps: DataChannelDeps, session: OpenedSession, reason: string) {
  deps.sessions.close(session.sessionId);
  deps.logger.info({ ...describe(session), reason }, 'exec session ended');
  await deps.commits
    .run((db) => logSessionEnd(db, session.sessionId, deps.clock.now()))
    .catch((err: unknown) => deps.logger.error({ err }, 'exec session log failed'));
}

/** What a session's log lines carry: never its command or input. */
function describe(session: OpenedSession) {
  return {
    sessionId: session.sessionId,
    accountId: session.accountId,
    region: session.region,
    taskArn: session.taskArn,
    containerName: session.containerName,
  };
}
