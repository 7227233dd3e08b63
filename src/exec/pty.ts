import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { enterArgv } from '../runtime/bwrap-driver.js';
import { childPids } from '../runtime/host-processes.js';

/** A terminal size as the data channel sends it (PayloadType 3). */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/** The environment of an exec'd command: Docker's default PATH and a terminal type. */
const EXEC_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  TERM: 'xterm-256color',
};

/**
 * A command running inside a container on a pseudo-terminal. The terminal is util-linux
 * `script` on the host (no native module can be loaded): it opens the pty pair, runs nsenter
 * on the slave and copies between the master and its own pipes, so the command sees a real
 * terminal while fedgate sees plain streams.
 */
export class ContainerPty {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts `argv` in the container whose sandbox init is `pid`, sized `size` when known. */
  static start(pid: number, argv: readonly string[], size?: TerminalSize): ContainerPty {
    const enter = enterArgv(pid, argv).map(shellQuote).join(' ');
    // The size is set on the slave before nsenter execs, so the command starts with it.
    const sized = size ? `stty ${sttySize(size)} 2>/dev/null; ` : '';
    const child = spawn('script', ['-qfec', `${sized}exec ${enter}`, '/dev/null'], {
      env: { ...EXEC_ENV, SHELL: '/bin/sh' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    // A missing `script` must end the session, not the server.
    child.on('error', () => undefined);
    return new ContainerPty(child);
  }

  /** Output as it arrives (stdout and stderr share the terminal). */
  onData(listener: (chunk: Buffer) => void): void {
    this.child.stdout?.on('data', listener);
  }

  /** Resolves with the exit code once the command has ended and its output is read. */
  async exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return this.child.exitCode;
    }
    try {
      const [code] = (await once(this.child, 'close')) as [number | null];
      return code;
    } catch {
      return null; // script could not be started: `once` rejects on 'error'.
    }
  }

  /** Writes keystrokes to the terminal. */
  write(data: Buffer): void {
    if (this.child.stdin?.writable) this.child.stdin.write(data);
  }

  /**
   * Resizes the terminal through the slave that script's child holds; the kernel then sends
   * SIGWINCH to the command, as a terminal emulator's resize would.
   */
  resize(size: TerminalSize): void {
    const [shell] = this.child.pid === undefined ? [] : childPids(this.child.pid);
    if (shell === undefined) return;
    const stty = spawn('stty', ['-F', `/proc/${shell}/fd/0`, ...sttySize(size).split(' ')], {
      stdio: 'ignore',
    });
    stty.on('error', () => undefined);
  }

  /**
   * Ends the command. SIGKILL leaves script no say: its master closes, the kernel hangs up the
   * terminal, and the command gets SIGHUP as after a dropped SSH connection.
   */
  kill(): void {
    this.child.kill('SIGKILL');
    this.child.stdin?.destroy();
  }
}

function sttySize(size: TerminalSize): string {
  return `rows ${Math.trunc(size.rows)} cols ${Math.trunc(size.cols)}`;
}

/** One argument for `sh -c`, single-quoted so nothing in it is interpreted. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits ExecuteCommand's `command` into argv the way the SSM agent does: on blanks, with
 * single and double quotes grouping; no shell runs it (AWS's docs say to call `sh -c` for
 * pipes and variables).
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}
