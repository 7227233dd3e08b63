import { parseArgs } from 'node:util';
import type { LoadSettings } from './load.js';
import type { TaskPlan } from './tasks.js';

/** What `npm run bench -- …` was told. */
export interface BenchOptions {
  readonly load: LoadSettings;
  /** Sequential LookupEvents requests timed per kind. */
  readonly lookups: number;
  readonly lookupWarmup: number;
  readonly events: number;
  readonly reseed: boolean;
  readonly build: boolean;
  readonly quick: boolean;
  /** Profile fedgate: a V8 CPU profile is written to bench/results/ when it stops. */
  readonly cpuProf: boolean;
  /** The task-start scenario (`--no-tasks` skips it). */
  readonly tasks: boolean;
  readonly taskPlan: TaskPlan;
  /** The ECS Exec scenario (`--no-exec` skips it). */
  readonly exec: boolean;
  /** One-shot ExecuteCommand sessions timed. */
  readonly execSamples: number;
  /** The trail delivery scenario (`--no-trails` skips it). */
  readonly trails: boolean;
  /** Events recorded while the trail logs, then delivered. */
  readonly trailEvents: number;
  /** The TLS scenario (`--no-tls` skips it). */
  readonly tls: boolean;
}

const USAGE = `usage: npm run bench -- [options]
  --duration S       seconds measured per throughput scenario (default 10; --quick: 2)
  --warmup S         seconds of warm-up before each scenario (default 2; --quick: 1)
  --connections N    concurrent connections (default 10)
  --pipelining N     requests in flight per connection (default 1)
  --lookups N        sequential LookupEvents per kind (default 300; --quick: 50)
  --events N         events seeded into fedgate (default 1000000)
  --reseed           seed again even when bench/results/.cache has the events
  --skip-build       do not run npm run build first
  --quick            smoke run: short scenarios, fewer lookups
  --no-tasks         skip the task-start scenario (RunTask → RUNNING, tasks started per second;
                     5 uncached, 50 cached, 5 × count 10; --quick: 2, 10, 2 × count 10)
  --no-exec          skip the ECS Exec scenario (ExecuteCommand → first output byte and
                     → session end over the data channel, one exec-enabled task;
                     50 sessions; --quick: 10)
  --no-trails        skip the trail delivery scenario (the seeded events recorded while a
                     multi-region trail with log file validation logs, timed until delivered
                     and digested, then aws cloudtrail validate-logs; --quick: 100,000 events)
  --trail-events N   events delivered by the trail scenario (default: --events)
  --no-tls           skip the TLS scenario (a fedgate of its own with --tls and a bare HTTPS
                     server: ListAccountSettings over HTTP and HTTPS with keep-alive, then new
                     TLS 1.3 and TLS 1.2 handshakes per second; --duration and --warmup apply)
  --cpu-prof         write a V8 CPU profile of fedgate to bench/results/cpu-prof-<date>/
  --help             this text`;

/** Reads the command line; prints usage and exits on --help or a bad flag. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      lookups: { type: 'string' },
      events: { type: 'string' },
      reseed: { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      tasks: { type: 'boolean', default: true },
      // Spelled out rather than parseArgs' allowNegative, which Node 20 before 20.16 lacks.
      'no-tasks': { type: 'boolean', default: false },
      exec: { type: 'boolean', default: true },
      'no-exec': { type: 'boolean', default: false },
      trails: { type: 'boolean', default: true },
      'no-trails': { type: 'boolean', default: false },
      'trail-events': { type: 'string' },
      tls: { type: 'boolean', default: true },
      'no-tls': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick;
  const events = positive('events', values.events, 1_000_000);
  return {
    load: {
      duration: positive('duration', values.duration, quick ? 2 : 10),
      warmup: nonNegative('warmup', values.warmup, quick ? 1 : 2),
      connections: positive('connections', values.connections, 10),
      pipelining: positive('pipelining', values.pipelining, 1),
    },
    lookups: positive('lookups', values.lookups, quick ? 50 : 300),
    lookupWarmup: quick ? 5 : 30,
    events,
    reseed: values.reseed,
    build: !values['skip-build'],
    quick,
    cpuProf: values['cpu-prof'],
    tasks: values.tasks && !values['no-tasks'],
    taskPlan: quick
      ? { uncached: 2, cached: 10, batches: 2 }
      : { uncached: 5, cached: 50, batches: 5 },
    exec: values.exec && !values['no-exec'],
    execSamples: quick ? 10 : 50,
    trails: values.trails && !values['no-trails'],
    // The trail scenario copies the seeded events, so it can deliver at most that many.
    trailEvents: Math.min(
      events,
      positive('trail-events', values['trail-events'], quick ? 100_000 : events),
    ),
    tls: values.tls && !values['no-tls'],
  };
}

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = nonNegative(name, text, fallback);
  if (value === 0) throw new Error(`--${name} must be greater than 0`);
  return value;
}

function nonNegative(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${name} must be a whole number, got '${text}'\n${USAGE}`);
  }
  return value;
}
