import { execFile } from 'node:child_process';
import { close, constants, open } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const openFd = promisify(open);
const closeFd = promisify(close);

/** A pipe for one output stream of a container. */
export interface OutputPipe {
  /** The end to hand to the child as its stdout or stderr; close it once the child has it. */
  readonly writeFd: number;
  /** fedgate's end; ends when every copy of the write end is closed. */
  readonly reader: Socket;
}

/**
 * Real pipes (FIFOs) for a container's stdout and stderr. Node's `stdio: 'pipe'` is a socket
 * pair, and a socket cannot be opened by path: `echo hi > /dev/stdout`, and images that link
 * their log files to /dev/stdout (nginx), fail with ENXIO. containerd gives containers FIFOs for
 * the same reason. Node cannot make a pipe, so `mkfifo` (coreutils) does; the names are removed
 * as soon as both ends are open.
 */
export async function openOutputPipes(mkfifo: string): Promise<[OutputPipe, OutputPipe]> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-stdio-'));
  try {
    const [stdoutPath, stderrPath] = [join(dir, 'stdout'), join(dir, 'stderr')];
    await run(mkfifo, ['-m', '0600', stdoutPath, stderrPath]);

    const stdout = await openPipe(stdoutPath);
    const stderr = await openPipe(stderrPath).catch(async (err: unknown) => {
      await closeOutputPipe(stdout);
      throw err;
    });
    return [stdout, stderr];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Closes fedgate's copy of the write end, so the reader ends when the container's copies do. */
export async function closeWriteEnd(pipe: OutputPipe): Promise<void> {
  await closeFd(pipe.writeFd).catch(() => undefined);
}

/** Closes both ends: for a container that never started. */
export async function closeOutputPipe(pipe: OutputPipe): Promise<void> {
  await closeWriteEnd(pipe);
  pipe.reader.destroy();
}

async function openPipe(path: string): Promise<OutputPipe> {
  // The read end first, without blocking: opening one end of a FIFO waits for the other.
  const readFd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK);

  const writeFd = await openFd(path, constants.O_WRONLY).catch(async (err: unknown) => {
    await closeFd(readFd);
    throw err;
  });
  return { writeFd, reader: new Socket({ fd: readFd, readable: true, writable: false }) };
}
