/**
 * ECS Exec: ExecuteCommand, then the Session Manager data channel spoken by the
 * test suite's protocol client (no AWS CLI, no session-manager-plugin start-up),
 * timed to the first output byte and to the end of the session.
 */
import { performance } from 'node:perf_hooks';
import { runExecSession } from '../test/support/exec-client.js';
import { send } from './http-client.js';
import { signOperation, type Credentials, type Target } from './sign.js';
import { summarize, type LatencySummary } from './stats.js';

/** The command run in the container: one byte of answer, then the session ends. */
export const EXEC_COMMAND = 'cat /proc/sys/crypto/fips_enabled';
/** The container the exec task runs (`sleep 300`). */
export const EXEC_CONTAINER = 'app';

/** What the ECS Exec scenario measured. */
export interface ExecResult {
  readonly samples: number;
  /** ExecuteCommand sent → first Output payload on the data channel (ms). */
  readonly firstByte: LatencySummary;
  /** ExecuteCommand sent → the session ended: channel_closed, then the socket closed (ms). */
  readonly sessionEnd: LatencySummary;
  /** ExecuteCommand's own answer time (ms). */
  readonly executeCommand: LatencySummary;
  /** The distinct outputs (trimmed) the command printed: "1" or "0". */
  readonly outputs: readonly string[];
}

interface Session {
  readonly streamUrl?: string;
  readonly tokenValue?: string;
}

/** Runs `samples` one-shot sessions against the RUNNING task `taskArn`. */
export async function measureExec(options: {
  target: Target;
  credentials: Credentials;
  taskArn: string;
  samples: number;
}): Promise<ExecResult> {
  const { target, credentials, taskArn, samples } = options;
  const firstByte: number[] = [];
  const sessionEnd: number[] = [];
  const executeCommand: number[] = [];
  const outputs = new Set<string>();
  for (let i = 0; i < samples; i += 1) {
    const body = JSON.stringify({
      cluster: 'default',
      task: taskArn,
      container: EXEC_CONTAINER,
      interactive: true,
      command: EXEC_COMMAND,
    });
    const operation = {
      name: 'ExecuteCommand',
      service: 'ecs' as const,
      target: 'AmazonEC2ContainerServiceV20141113.ExecuteCommand',
      body,
    };
    // Signed before the clock starts: the SDK's signing is not fedgate's time.
    const signed = await signOperation(operation, target, credentials);
    const started = performance.now();
    const answer = await send(target, signed);
    executeCommand.push(performance.now() - started);
    if (answer.status !== 200) {
      throw new Error(`ExecuteCommand answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    }
    const session = (JSON.parse(answer.body) as { session?: Session }).session;
    if (!session?.streamUrl || !session.tokenValue) {
      throw new Error(`ExecuteCommand answered no session: ${answer.body.slice(0, 500)}`);
    }
    let first: number | undefined;
    const result = await runExecSession(session.streamUrl, session.tokenValue, {
      onOutput: (text) => {
        if (first === undefined && text.length > 0) first = performance.now();
      },
    });
    const ended = performance.now();
    const output = result.output.trim();
    if (output !== '1' && output !== '0') {
      throw new Error(`exec ${i + 1}: ${EXEC_COMMAND} printed ${JSON.stringify(result.output)}`);
    }
    if (!result.channelClosed) {
      throw new Error(
        `exec ${i + 1}: the socket closed (${result.closeCode}) without channel_closed`,
      );
    }
    if (first === undefined) throw new Error(`exec ${i + 1}: no output arrived`);
    firstByte.push(first - started);
    sessionEnd.push(ended - started);
    outputs.add(output);
  }
  return {
    samples,
    firstByte: summarize(firstByte),
    sessionEnd: summarize(sessionEnd),
    executeCommand: summarize(executeCommand),
    outputs: [...outputs],
  };
}
