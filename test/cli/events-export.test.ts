import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { PutAccountSettingCommand, PutAccountSettingDefaultCommand } from '@aws-sdk/client-ecs';
import { insertEvent, type StoredEvent } from '../../src/audit/event-store.js';
import { cloudTrailClient, ecsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/fedgate.js';
import { fedgateCli } from '../support/fedgate-cli.js';

const REGIONS = ['us-gov-east-1', 'us-gov-west-1', 'us-east-1'];
const COLUMNS = [
  'Event ID',
  'Event time',
  'User name',
  'Event name',
  'Resource type',
  'Resource name',
  'AWS access key',
  'Event source',
  'AWS region',
  'Error code',
  'Source IP address',
  'Read only',
];
/** A resource name that needs CSV quoting: a comma, quotes and a line break. */
const AWKWARD = 'arn:aws-us-gov:ecs:us-gov-east-1:1:cluster/a,"b"\nc';
const HOUR = 3600_000;
/** Two stored events at whole seconds in the past, for the --start/--end boundaries. */
const NEWER = Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000;
const OLDER = NEWER - HOUR;

describe('fedgate events export', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fedgate-export-'));
  let server: TestServer;
  let cut: Date;
  let stopped = false;

  before(async () => {
    server = await startTestServer({ dataDir });
    await makeCalls(server);
    await insertEvent(server.db, storedEvent(server, 'evt-newer', NEWER, AWKWARD));
    await insertEvent(server.db, storedEvent(server, 'evt-older', OLDER, 'plain'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    cut = new Date();
  });
  after(async () => {
    if (!stopped) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const exportText = async (...args: string[]) =>
    (await fedgateCli(['events', 'export', '--data-dir', dataDir, ...args])).stdout;
  const exportJson = async (...args: string[]) =>
    records(await exportText('--format', 'json', '--end', cut.toISOString(), ...args));
  const exportCsv = async (...args: string[]) =>
    parseCsv(await exportText('--format', 'csv', '--end', cut.toISOString(), ...args));

  it('writes every record exactly as LookupEvents returns it, newest first', async () => {
    const text = await exportText('--format', 'json', '--end', cut.toISOString());
    const lines = text.split('\n');
    assert.equal(lines[0], '{"Records":[');
    assert.equal(lines.at(-2), ']}');
    const exported = lines.slice(1, -2).map((line) => line.replace(/,$/, ''));

    const byRegion = await Promise.all(REGIONS.map((region) => lookupAll(server, region, cut)));
    for (const [index, region] of REGIONS.entries()) {
      const inRegion = exported.filter((raw) => recordOf(raw).awsRegion === region);
      assert.deepEqual(inRegion, byRegion[index], region);
    }
    assert.equal(exported.length, byRegion.flat().length);
    const times = exported.map((raw) => Date.parse(String(recordOf(raw).eventTime)));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.deepEqual(JSON.parse(text), { Records: exported.map(recordOf) });
  });

  it('writes the console CSV columns, one row per event, with RFC 4180 quoting', async () => {
    const text = await exportText('--format', 'csv', '--end', cut.toISOString());
    const [header, ...rows] = parseCsv(text);
    assert.deepEqual(header, COLUMNS);
    assert.equal(rows.length, (await exportJson()).length);
    assert.ok(text.includes('"arn:aws-us-gov:ecs:us-gov-east-1:1:cluster/a,""b""\nc"'));
    const awkward = rows.find((row) => row[0] === 'evt-newer');
    assert.deepEqual(awkward, [
      'evt-newer',
      new Date(NEWER).toISOString().replace('.000Z', 'Z'),
      'carol, "the" tester',
      'CreateCluster',
      'AWS::ECS::Cluster',
      AWKWARD,
      'AKIAEXAMPLE',
      'ecs.amazonaws.com',
      'us-gov-east-1',
      '',
      '192.0.2.1',
      'false',
    ]);
  });

  it('shows a failed call with its error code and the root user', async () => {
    const [, ...rows] = await exportCsv('--region', 'us-east-1');
    const failed = rows.find((row) => row[3] === 'PutAccountSettingDefault');
    assert.ok(failed, 'the refused call is exported');
    assert.notEqual(failed[9], '');
    assert.equal(failed[2], 'root');
    assert.equal(failed[6], server.root.accessKeyId);
    assert.equal(failed[11], 'false');
  });

  it('narrows by one --filter, as LookupEvents does', async () => {
    const named = await exportJson('--filter', 'EventName=PutAccountSetting');
    assert.deepEqual(
      named.map((record) => [record.eventName, record.awsRegion]),
      [
        ['PutAccountSetting', 'us-gov-west-1'],
        ['PutAccountSetting', 'us-gov-east-1'],
      ],
    );
    const byResource = await exportJson('--filter', `ResourceName=${AWKWARD}`);
    assert.deepEqual(
      byResource.map((record) => record.eventID),
      ['evt-newer'],
    );
    const writes = await exportJson('--filter', 'ReadOnly=false');
    assert.ok(writes.every((record) => record.readOnly === false));
  });

  it('exports one region with --region', async () => {
    const exported = await exportJson('--region', 'us-gov-west-1');
    assert.ok(exported.length > 0);
    assert.ok(exported.every((record) => record.awsRegion === 'us-gov-west-1'));
    const lookedUp = await lookupAll(server, 'us-gov-west-1', cut);
    assert.deepEqual(exported, lookedUp.map(recordOf));
  });

  it('includes events at exactly --start and --end (ISO 8601 or epoch seconds)', async () => {
    const ids = async (start: number, end: number, asSeconds = false) => {
      const text = (time: number) =>
        asSeconds ? String(time / 1000) : new Date(time).toISOString();
      const found = records(
        await exportText('--format', 'json', '--start', text(start), '--end', text(end)),
      );
      return found.map((record) => record.eventID);
    };
    assert.deepEqual(await ids(OLDER, NEWER), ['evt-newer', 'evt-older']);
    assert.deepEqual(await ids(OLDER, NEWER, true), ['evt-newer', 'evt-older']);
    assert.deepEqual(await ids(OLDER + 1000, NEWER, true), ['evt-newer']);
    assert.deepEqual(await ids(OLDER, NEWER - 1000, true), ['evt-older']);
  });

  it('writes --output to a file, leaving no partial file behind', async () => {
    const file = join(dataDir, 'events.csv');
    const args = ['--format', 'csv', '--end', cut.toISOString()];
    await exportText(...args, '--output', file);
    assert.equal(readFileSync(file, 'utf8'), await exportText(...args));
    assert.deepEqual(
      readdirSync(dataDir).filter((name) => name.endsWith('.partial')),
      [],
    );
  });

  it('refuses a bad --format, --filter, --start or data directory with what to do', async () => {
    const format = await failure(dataDir, ['--format', 'xml']);
    assert.match(format, /Allowed choices are json, csv/);
    const filter = await failure(dataDir, ['--format', 'csv', '--filter', 'Colour=red']);
    assert.match(filter, /EventId, EventName, ReadOnly, Username, ResourceType, ResourceName/);
    const two = ['--filter', 'EventName=A', '--filter', 'Username=b'];
    assert.match(await failure(dataDir, ['--format', 'csv', ...two]), /one --filter/);
    assert.match(await failure(dataDir, ['--format', 'csv', '--start', 'yesterday']), /ISO 8601/);
    assert.match(
      await failure(dataDir, ['--format', 'csv', '--region', 'mars-1']),
      /us-gov-west-1/,
    );
    const reversed = ['--start', '2025-02-01', '--end', '2025-01-01'];
    assert.match(await failure(dataDir, ['--format', 'csv', ...reversed]), /after --end/);
    const missing = join(dataDir, 'nowhere');
    assert.match(await failure(dataDir, ['--format', 'csv', '--data-dir', missing]), /--data-dir/);
    assert.equal(existsSync(missing), false);
  });

  it('reads the store after the server has stopped, without writing to it', async () => {
    const running = await exportJson();
    await server.stop();
    stopped = true;
    const store = join(dataDir, 'fedgate.db');
    const { mtimeMs, size } = statSync(store);
    assert.deepEqual(await exportJson(), running);
    assert.deepEqual([statSync(store).mtimeMs, statSync(store).size], [mtimeMs, size]);
  });
});

async function makeCalls(server: TestServer) {
  const ecs = (region: string) =>
    ecsClient({ endpoint: server.url, credentials: server.root, region });
  const setting = { name: 'containerInsights' as const, value: 'enabled' };
  await ecs('us-gov-east-1').send(new PutAccountSettingCommand(setting));
  await ecs('us-gov-west-1').send(new PutAccountSettingCommand(setting));
  const fips = { name: 'fargateFIPSMode' as const, value: 'enabled' };
  await assert.rejects(ecs('us-east-1').send(new PutAccountSettingDefaultCommand(fips)));
}

/** Every CloudTrailEvent LookupEvents answers in `region` up to `end`, newest first. */
async function lookupAll(server: TestServer, region: string, end: Date): Promise<string[]> {
  const client = cloudTrailClient({ endpoint: server.url, credentials: server.root, region });
  const found: string[] = [];
  for await (const page of paginateLookupEvents({ client }, { EndTime: end })) {
    for (const event of page.Events ?? []) found.push(event.CloudTrailEvent ?? '');
  }
  return found;
}

function storedEvent(server: TestServer, eventId: string, time: number, arn: string): StoredEvent {
  const region = 'us-gov-east-1';
  const eventTime = new Date(time);
  const record = {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', userName: 'carol, "the" tester', accessKeyId: 'AKIAEXAMPLE' },
    eventTime: eventTime.toISOString().replace('.000Z', 'Z'),
    eventSource: 'ecs.amazonaws.com',
    eventName: 'CreateCluster',
    awsRegion: region,
    sourceIPAddress: '192.0.2.1',
    eventID: eventId,
    readOnly: false,
    resources: [{ accountId: server.root.accountId, type: 'AWS::ECS::Cluster', ARN: arn }],
  };
  return {
    eventId,
    accountId: server.root.accountId,
    region,
    eventTime,
    eventName: 'CreateCluster',
    eventSource: 'ecs.amazonaws.com',
    readOnly: false,
    username: 'carol',
    accessKeyId: 'AKIAEXAMPLE',
    resources: [{ type: 'AWS::ECS::Cluster', name: arn, arn }],
    record: JSON.stringify(record),
  };
}

type Json = Record<string, unknown>;

function recordOf(raw: string): Json {
  return JSON.parse(raw) as Json;
}

function records(text: string): Json[] {
  return (JSON.parse(text) as { Records: Json[] }).Records;
}

/** Runs `fedgate events export` expecting it to fail; answers its stderr. */
async function failure(dataDir: string, args: string[]): Promise<string> {
  const run = fedgateCli(['events', 'export', '--data-dir', dataDir, ...args]);
  const err = await run.then(
    () => assert.fail(`expected ${args.join(' ')} to fail`),
    (error: unknown) => error as { code: number; stderr: string },
  );
  assert.notEqual(err.code, 0);
  return err.stderr;
}

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted && char === '"' && text[i + 1] === '"') [field, i] = [field + '"', i + 1];
    else if (char === '"') quoted = !quoted;
    else if (quoted || (char !== ',' && char !== '\r')) field += char;
    else if (char === ',') [row, field] = [[...row, field], ''];
    else [rows[rows.length], row, field, i] = [[...row, field], [], '', i + 1];
  }
  return rows;
}
