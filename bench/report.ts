import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecResult } from './exec.js';
import { EXEC_COMMAND } from './exec.js';
import type { LoadSettings } from './load.js';
import type { LookupResult } from './lookups.js';
import type { MachineInfo } from './machine.js';
import type { Peer } from './peers.js';
import type { TaskResult } from './tasks.js';
import type { KeepAliveRow, TlsPeerName, TlsResult } from './tls.js';
import type { TrailResult } from './trails.js';
import type { Measured, ThroughputRow } from './throughput.js';

/** Everything one run measured, as written to the JSON file. */
export interface BenchResult {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly settings: LoadSettings & { readonly lookups: number; readonly quick: boolean };
  readonly store: StoreFacts;
  readonly throughput: readonly ThroughputRow[];
  readonly lookups: readonly LookupResult[];
  /** The HTTP status moto answers LookupEvents with. */
  readonly motoLookupStatus: number;
  /** The TLS scenario; absent with --no-tls. */
  readonly tls?: TlsResult;
  /** The task-start scenario; absent with --no-tasks. */
  readonly tasks?: TaskResult;
  /** The ECS Exec scenario; absent with --no-exec. */
  readonly exec?: ExecResult;
  /** The trail delivery scenario; absent with --no-trails. */
  readonly trails?: TrailResult;
  readonly totalSeconds: number;
}

/** What fedgate's store held and how long it took to get there. */
export interface StoreFacts {
  readonly events: number;
  readonly averageRecordBytes: number;
  readonly seededAt: string;
  /** Seconds the seeding took (this run, or the run that filled the cache). */
  readonly seedSeconds: number;
  /** Whether this run seeded, rather than reusing the cache. */
  readonly seededNow: boolean;
  /** Seconds from spawning fedgate on the seeded store to GET /health answering 200. */
  readonly fedgateStartSeconds: number;
}

const PEERS: readonly Peer['name'][] = ['fedgate', 'moto', 'bare'];
/** The goals fedgate is measured against. */
const GOALS = {
  motoRatio: 10,
  bareShare: 0.4,
  lookupP99Ms: 25,
  cachedStartP50Ms: 150,
  execFirstByteP50Ms: 100,
  trailEvents: 1_000_000,
  trailDeliverSeconds: 60,
};

/**
 * Writes `<date>.md` and `<date>.json` into `dir` (`<date>-quick.*` for a
 * --quick run, so a smoke run never replaces a real one); returns the Markdown.
 */
export function writeReport(result: BenchResult, dir: string): string {
  const markdown = renderReport(result);
  const name = result.settings.quick ? `${result.date}-quick` : result.date;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.md`), markdown);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return markdown;
}

/** The report as Markdown. */
export function renderReport(result: BenchResult): string {
  return [
    `# fedgate benchmark, ${result.date}`,
    '',
    ...header(result),
    '',
    ...throughputTable(result.throughput),
    '',
    ...peerTable(result.throughput),
    '',
    ...(result.tls ? [...tlsTables(result.tls, result.settings.connections), ''] : []),
    ...lookupTable(result),
    '',
    ...(result.tasks ? [...taskTable(result.tasks), ''] : []),
    ...(result.exec ? [...execTable(result.exec), ''] : []),
    ...(result.trails ? [...trailTable(result.trails), ''] : []),
    ...goalTable(result),
    '',
  ].join('\n');
}

function header(result: BenchResult): string[] {
  const m = result.machine;
  const s = result.settings;
  const store = result.store;
  const seconds = `${store.seedSeconds.toFixed(0)} s`;
  const seeded = store.seededNow
    ? `seeded by this run in ${seconds}`
    : `from the cache (seeded ${store.seededAt} in ${seconds})`;
  return [
    `- **Machine:** ${m.os}; ${m.cpu}, ${m.cores} cores; ${m.memoryGiB} GiB; load average ${m.loadAverageAtStart} at start; Node ${m.node}; moto ${m.moto}; fedgate ${m.fedgateCommit}`,
    `- **Load:** ${s.connections} connections, pipelining ${s.pipelining}, ${s.warmup} s warm-up then ${s.duration} s measured per scenario${s.quick ? ' (--quick)' : ''}; autocannon for fedgate and bare; moto through a closed-loop node:http client with the same connections (moto answers \`Connection: close\` and leaves the socket open, which stalls autocannon until its timeout)`,
    '- **Requests:** SigV4-signed for us-gov-west-1, signed once per scenario (valid 15 min) and replayed; one probe per scenario checked for 200 and the expected members, every answer under load compared with the probe answer (mismatches); fedgate checked to refuse a request signed with the wrong secret (InvalidSignatureException)',
    `- **fedgate store:** ${fmt(store.events)} events over 80 days, ~${fmt(store.averageRecordBytes)} B per record, ${seeded}; start to healthy on it: ${store.fedgateStartSeconds.toFixed(1)} s`,
    `- **Whole run:** ${result.totalSeconds.toFixed(0)} s`,
  ];
}

function throughputTable(rows: readonly ThroughputRow[]): string[] {
  const lines = [
    '## Throughput',
    '',
    '| Operation | fedgate req/s | moto req/s | bare req/s | fedgate/moto | fedgate/bare | fedgate p50 / p99 (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const [fedgate, moto, bare] = PEERS.map((name) => row.peers[name]);
    const cells = [fedgate, moto, bare].map((m) => (m ? rate(m) : 'n/a'));
    const f = fedgate?.ok ? fedgate.load : undefined;
    const latency = f ? `${ms(f.p50)} / ${ms(f.p99)}` : 'n/a';
    lines.push(
      `| ${row.operation} | ${cells.join(' | ')} | ${ratio(fedgate, moto, 'x')} | ${ratio(fedgate, bare, '%')} | ${latency} |`,
    );
  }
  return lines;
}

function peerTable(rows: readonly ThroughputRow[]): string[] {
  const lines = [
    'Per peer (latency in ms; non-2xx, errors, timeouts and body mismatches are counts over the measured run):',
    '',
    '| Operation | Peer | load generator | req/s | requests | p50 | p99 | non-2xx | errors | timeouts | mismatches |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    for (const name of PEERS) {
      const m = row.peers[name];
      if (!m) continue;
      if (!m.ok) {
        lines.push(`| ${row.operation} | ${name} | | fails (HTTP ${m.status}) | | | | | | | |`);
        continue;
      }
      const l = m.load;
      lines.push(
        `| ${row.operation} | ${name} | ${l.generator} | ${fmt(l.requestsPerSecond)} | ${fmt(l.total)} | ${ms(l.p50)} | ${ms(l.p99)} | ${l.non2xx} | ${l.errors} | ${l.timeouts} | ${l.mismatches} |`,
      );
    }
  }
  return lines;
}

function tlsTables(tls: TlsResult, connections: number): string[] {
  const suites = tls.keepAlive.flatMap((row) => (row.negotiated ? [row.negotiated] : []));
  return [
    '## TLS (HTTPS with keep-alive, and new handshakes)',
    '',
    `A fedgate of its own (fresh data dir, \`serve --tls\`, the RSA-2048 server certificate its private CA issues) and the bare server with an HTTPS listener serving that same certificate under fedgate's TLS policy (\`src/tls/policy.ts\`). Keep-alive: ${tls.operation} signed for each port, same load as above (autocannon), each peer run HTTP, HTTPS, HTTPS, HTTP (so a drift over time favours neither) and each scheme's two runs merged; the HTTPS probe verified the certificate against fedgate's CA and negotiated ${[...new Set(suites)].join(', ')} (autocannon does not verify under load; after the handshake that costs nothing). moto_server has no TLS listener, so it has no row here; its plain-HTTP figure is in the throughput table.`,
    '',
    '| Peer | HTTP req/s | HTTPS req/s | HTTPS/HTTP | HTTP p50 / p99 (ms) | HTTPS p50 / p99 (ms) | errors, non-2xx, mismatches |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...(['fedgate', 'bare'] as const).map((peer) => keepAliveRow(tls, peer)),
    '',
    `Each run's req/s: ${tls.keepAlive.map(runsText).join('; ')}.`,
    '',
    ...handshakeTable(tls, connections),
    '',
    tlsSummary(tls),
  ];
}

function keepAliveRow(tls: TlsResult, peer: TlsPeerName): string {
  const http = keepAlive(tls, peer, 'http');
  const https = keepAlive(tls, peer, 'https');
  if (!http || !https) return `| ${peer} | n/a | n/a | n/a | | | |`;
  const pair = (l: KeepAliveRow['load']) => `${ms(l.p50)} / ${ms(l.p99)}`;
  const faults = (l: KeepAliveRow['load']) => l.errors + l.timeouts + l.non2xx + l.mismatches;
  const share = pct(https.load.requestsPerSecond / http.load.requestsPerSecond);
  return `| ${peer} | ${fmt(http.load.requestsPerSecond)} | ${fmt(https.load.requestsPerSecond)} | ${share} | ${pair(http.load)} | ${pair(https.load)} | ${faults(http.load) + faults(https.load)} |`;
}

function runsText(row: KeepAliveRow): string {
  return `${row.peer} ${row.scheme.toUpperCase()} ${row.runsPerSecond.map(fmt).join(', ')}`;
}

function keepAlive(
  tls: TlsResult,
  peer: TlsPeerName,
  scheme: KeepAliveRow['scheme'],
): KeepAliveRow | undefined {
  return tls.keepAlive.find((row) => row.peer === peer && row.scheme === scheme);
}

function handshakeTable(tls: TlsResult, connections: number): string[] {
  const lines = [
    `New TLS connections from ${connections} concurrent loops (one per connection above), for the same warm-up and duration, each a full handshake (\`tls.connect\` offering no session, so none is resumed; every one checked) that verifies the certificate against the CA, timed from connect to \`secureConnect\`, then closed. Client and server share the machine, so the client's half of each handshake is in the figure too.`,
    '',
    '| Peer | Negotiated | handshakes/s | p50 (ms) | p99 (ms) | handshakes | errors | fedgate/bare |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of tls.handshakes) {
    const r = row.result;
    const bare = tls.handshakes.find((b) => b.peer === 'bare' && b.maxVersion === row.maxVersion);
    const versus =
      row.peer === 'fedgate' && bare && bare.result.handshakesPerSecond > 0
        ? pct(r.handshakesPerSecond / bare.result.handshakesPerSecond)
        : '';
    lines.push(
      `| ${row.peer} | ${r.negotiated.join(', ')} | ${fmt(r.handshakesPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${fmt(r.total)} | ${r.errors} | ${versus} |`,
    );
  }
  return lines;
}

/** One sentence on what TLS costs fedgate, from the keep-alive rows. */
function tlsSummary(tls: TlsResult): string {
  const http = keepAlive(tls, 'fedgate', 'http');
  const https = keepAlive(tls, 'fedgate', 'https');
  const bareHttp = keepAlive(tls, 'bare', 'http');
  const bareHttps = keepAlive(tls, 'bare', 'https');
  if (!http || !https || !bareHttp || !bareHttps) return '';
  const cost = (plain: KeepAliveRow, secure: KeepAliveRow) =>
    pct(1 - secure.load.requestsPerSecond / plain.load.requestsPerSecond);
  return `With keep-alive, TLS costs fedgate ${cost(http, https)} of its plain-HTTP throughput (the bare server: ${cost(bareHttp, bareHttps)}); a negative figure is noise.`;
}

function lookupTable(result: BenchResult): string[] {
  const lines = [
    `## LookupEvents at ${fmt(result.store.events)} events (fedgate)`,
    '',
    `Sequential requests, one at a time, MaxResults 50, each signed just before it is sent; every answer checked to be 200 with events.`,
    '',
    '| Lookup | Filter | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | requests | events per answer (min) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const l of result.lookups) {
    lines.push(
      `| ${l.kind} | ${l.description} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.mean)} | ${l.count} | ${l.fewestEvents} |`,
    );
  }
  lines.push('', `moto: LookupEvents ${motoLookup(result.motoLookupStatus)}.`);
  return lines;
}

function taskTable(tasks: TaskResult): string[] {
  const { plan, uncached, cached, startRate, moto } = tasks;
  const pair = (l: { p50: number; p99: number }) => `${ms(l.p50)} / ${ms(l.p99)}`;
  const motoRunning = moto.toRunning
    ? `${pair(moto.toRunning)} (${moto.toRunning.count} of ${moto.runTask.count} reported RUNNING)`
    : 'never reported RUNNING';
  return [
    '## Task start (fedgate RunTask → RUNNING)',
    '',
    `A fedgate of its own (fresh data dir, \`--images-dir\` inside it) pulling from Debian's \`docker-registry\` on loopback; Fargate task definition (awsvpc, 256 CPU units, 512 MiB) with one busybox container running \`sleep 30\`. Latency runs from sending RunTask to the first DescribeTasks answer (polled every 5 ms) saying RUNNING. Uncached: each task's image is freshly pushed with a file of its own in its layer, so manifest, config and layer all miss fedgate's cache (one fedgate, ${plan.uncached} images). Cached: ${plan.cached} sequential tasks after one untimed task pulled the image. Every timed task is stopped (StopTask) and waited for until STOPPED before the next. Start rate: ${plan.batches} RunTask calls with count 10 back to back, timed until all ${plan.batches * 10} are RUNNING, then stopped.`,
    '',
    '| Measure | Peer | p50 / p99 (ms) | max (ms) | samples |',
    '| --- | --- | ---: | ---: | ---: |',
    `| RunTask → RUNNING, image uncached | fedgate | ${pair(uncached)} | ${ms(uncached.max)} | ${uncached.count} |`,
    `| RunTask → RUNNING, image cached | fedgate | ${pair(cached)} | ${ms(cached.max)} | ${cached.count} |`,
    `| Tasks started per second | fedgate | ${startRate.perSecond.toFixed(1)}/s (${startRate.tasks} tasks RUNNING in ${startRate.seconds.toFixed(2)} s) | | ${startRate.tasks} |`,
    `| RunTask request latency | moto | ${pair(moto.runTask)} | ${ms(moto.runTask.max)} | ${moto.runTask.count} |`,
    `| RunTask → DescribeTasks says RUNNING | moto | ${motoRunning} | | ${moto.runTask.count} |`,
    '| Starts a container | moto | no: it records the task and runs nothing | | |',
    '',
    `moto gets the same RegisterTaskDefinition and RunTask (after a CreateCluster \`default\`, which moto, unlike ECS, does not create on its own; and with container-level \`memory: 512\` added, without which moto's RunTask fails with HTTP 500; the awsvpc subnet is one of moto's own default subnets, from EC2 DescribeSubnets, with \`securityGroups: []\`, because moto creates an ENI per task and refuses an unknown subnet), ${moto.runTask.count} tasks, each stopped after it is looked at. moto's RunTask answers say lastStatus ${moto.runTaskStatuses.join(', ')} at once although nothing runs; DescribeTasks (up to 20 polls 5 ms apart per task) then moves the first task through ${moto.describeSequence.join(' → ')}.`,
  ];
}

function taskGoal(tasks: TaskResult): string {
  const name = `cached RunTask → RUNNING p50 < ${GOALS.cachedStartP50Ms} ms`;
  const show = (v: number) => `${ms(v)} ms`;
  return goal(name, tasks.cached.p50, show, (v) => v < GOALS.cachedStartP50Ms);
}

function execTable(exec: ExecResult): string[] {
  const row = (name: string, l: ExecResult['firstByte']) =>
    `| ${name} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${l.count} |`;
  return [
    '## ECS Exec (one-shot command)',
    '',
    `On the task fedgate, one busybox task (awsvpc, 256/512) with \`enableExecuteCommand: true\` running \`sleep 300\`, RUNNING before any clock starts. ${exec.samples} sequential sessions: a SigV4-signed JSON 1.1 ExecuteCommand (\`interactive: true\`, \`${EXEC_COMMAND}\`; signed before the clock starts) over a kept-alive connection, then the Session Manager data channel opened with the test suite's protocol client (\`test/support/exec-client.ts\`: token frame, handshake response, terminal size), so no AWS CLI or plugin start-up is in the numbers. First output byte: the first Output payload's arrival. Session end: the WebSocket closing after channel_closed (every session is checked to have sent it). The command printed ${exec.outputs.map((o) => `\`${o}\``).join(', ')} every time (anything but 1 or 0 fails the run). The task is stopped afterwards.`,
    '',
    '| Measure | p50 (ms) | p99 (ms) | max (ms) | samples |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('ExecuteCommand answered', exec.executeCommand),
    row('ExecuteCommand → first output byte', exec.firstByte),
    row('ExecuteCommand → session end (channel_closed)', exec.sessionEnd),
  ];
}

function execGoal(exec: ExecResult): string {
  const name = `ExecuteCommand → first output byte p50 < ${GOALS.execFirstByteP50Ms} ms`;
  const show = (v: number) => `${ms(v)} ms`;
  return goal(name, exec.firstByte.p50, show, (v) => v < GOALS.execFirstByteP50Ms);
}

function trailTable(t: TrailResult): string[] {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  return [
    `## Trail delivery (${fmt(t.events)} events)`,
    '',
    `A fedgate of its own: a bucket with the bucket policy AWS documents for CloudTrail, a multi-region trail with log file validation, logging; then ${fmt(t.events)} seeded events (${t.recordSeconds.toFixed(0)} s to copy in while fedgate was stopped) recorded in us-gov-west-1 after its StartLogging. Timed from spawning \`fedgate serve --trail-delivery-interval ${t.deliveryIntervalSeconds} --digest-interval ${t.digestIntervalSeconds}\` (healthy after ${t.startSeconds.toFixed(1)} s) until the trail's delivered position is past the last event, its outbox is empty and every log file is in a delivered digest (fedgate's store read every 100 ms, read-only). Files counted by ListObjectsV2 right after.`,
    '',
    '| Measure | fedgate | moto |',
    '| --- | --- | --- |',
    `| Events delivered | ${fmt(t.events)} in ${t.deliverSeconds.toFixed(1)} s (${fmt(t.eventsPerSecond)} events/s) | ${motoDelivered(t.moto)} |`,
    `| Log files (gzip) | ${fmt(t.logFiles)}, ${mb(t.logBytes)} | ${motoCount(t.moto)} |`,
    `| Digest files (both regions' chains) | ${fmt(t.digests)} | ${motoCount(t.moto)} |`,
    `| GetTrailStatus | LatestDeliveryError ${t.latestDeliveryError ?? 'none'} | ${motoStatus(t.moto)} |`,
    `| aws cloudtrail validate-logs | ${validateCell(t.validate)} | — |`,
    '',
    "validate-logs runs after the count, so it also sees the log files holding the benchmark's own later calls (GetTrailStatus). No bare-server column: a server that answers `{}` has no trail to deliver.",
  ];
}

function motoCount(moto: TrailResult['moto']): string {
  return moto.ok ? String(moto.objects) : 'n/a';
}

function motoDelivered(moto: TrailResult['moto']): string {
  if (!moto.ok) return `fails: ${moto.error}`;
  const watched = `after watching the bucket ${moto.watchedSeconds.toFixed(0)} s`;
  if (moto.objects > 0) return `${moto.objects} objects under AWSLogs/ ${watched}`;
  return `none: no object under AWSLogs/ ${watched}`;
}

function motoStatus(moto: TrailResult['moto']): string {
  if (!moto.ok) return 'n/a';
  const delivery = moto.latestDeliveryTime ?? 'none';
  return `IsLogging ${moto.isLogging}, LatestDeliveryTime ${delivery}`;
}

function validateCell(validate: TrailResult['validate']): string {
  if (!validate.ran) return `skipped: ${validate.reason.split(';')[0]}`;
  const exit = validate.exitCode === 0 ? '' : `, exit ${validate.exitCode}`;
  return `${validate.summary.join('; ')} (${validate.region}, ${validate.seconds.toFixed(1)} s${exit})`;
}

function trailGoal(t: TrailResult): string {
  const name = `delivery of ${fmt(GOALS.trailEvents)} events < ${GOALS.trailDeliverSeconds} s`;
  const value = t.events >= GOALS.trailEvents ? t.deliverSeconds : undefined;
  return goal(
    name,
    value,
    (v) => `${v.toFixed(1)} s`,
    (v) => v < GOALS.trailDeliverSeconds,
  );
}

function motoLookup(status: number): string {
  return status === 200 ? 'answers 200' : `fails (HTTP ${status})`;
}

function goalTable(result: BenchResult): string[] {
  return [
    '## Goals',
    '',
    '| Goal | Measured | Met |',
    '| --- | --- | --- |',
    ...result.throughput.flatMap(throughputGoals),
    ...result.lookups.map(lookupGoal),
    ...(result.tasks ? [taskGoal(result.tasks)] : []),
    ...(result.exec ? [execGoal(result.exec)] : []),
    ...(result.trails ? [trailGoal(result.trails)] : []),
  ];
}

function throughputGoals(row: ThroughputRow): string[] {
  const { fedgate, moto, bare } = row.peers;
  const times = (v: number) => `${v.toFixed(1)}×`;
  return [
    goal(`${row.operation} ≥ ${GOALS.motoRatio}× moto`, share(fedgate, moto), times, (v) => {
      return v >= GOALS.motoRatio;
    }),
    goal(`${row.operation} ≥ ${GOALS.bareShare * 100}% of bare`, share(fedgate, bare), pct, (v) => {
      return v >= GOALS.bareShare;
    }),
  ];
}

function lookupGoal(lookup: LookupResult): string {
  const name = `LookupEvents by ${lookup.kind} p99 < ${GOALS.lookupP99Ms} ms`;
  const show = (v: number) => `${ms(v)} ms`;
  return goal(name, lookup.p99, show, (v) => v < GOALS.lookupP99Ms);
}

function goal(
  name: string,
  value: number | undefined,
  show: (v: number) => string,
  met: (v: number) => boolean,
): string {
  if (value === undefined) return `| ${name} | n/a | n/a |`;
  return `| ${name} | ${show(value)} | ${met(value) ? 'yes' : '**no**'} |`;
}

function share(a: Measured | undefined, b: Measured | undefined): number | undefined {
  if (!a?.ok || !b?.ok || b.load.requestsPerSecond === 0) return undefined;
  return a.load.requestsPerSecond / b.load.requestsPerSecond;
}

function ratio(a: Measured | undefined, b: Measured | undefined, unit: 'x' | '%'): string {
  const value = share(a, b);
  if (value === undefined) return 'n/a';
  return unit === 'x' ? `${value.toFixed(1)}×` : pct(value);
}

function rate(m: Measured): string {
  return m.ok ? fmt(m.load.requestsPerSecond) : `fails (HTTP ${m.status})`;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(0)}%`;
}

function ms(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1);
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
