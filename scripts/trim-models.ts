/**
 * Makes the project's own copy of the AWS service models: `models/<service>.json`, with the
 * documentation, examples and client-only traits of botocore's service-2.json removed and
 * paginators-1.json merged in. Run it with `npm run models [-- --source DIR]`; it then
 * generates the TypeScript types in src/model/generated from the result.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelAddition, ServiceName } from '../src/model/service-model.js';
import { generateModelTypes } from './generate-model-types.js';

type Json = Record<string, unknown>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const services: readonly ServiceName[] = ['ecs', 'cloudtrail', 'sts', 's3'];

/**
 * Values AWS accepts beyond its published model. Each one is applied to the trimmed copy and
 * listed under `fedgateAdditions` in it, so a reader of models/*.json sees what differs.
 */
const additions: Readonly<Record<string, readonly ModelAddition[]>> = {
  ecs: [
    {
      shape: 'SettingName',
      enum: ['dualStackIPv6'],
      reason:
        'Documented account setting (PutAccountSetting, ListAccountSettings) missing from the enum; clients send it as a plain string.',
    },
  ],
};

// Keep-lists: everything else (documentation, examples, endpoint rules, client hints) goes.
const metadataKeys = [
  'apiVersion',
  'endpointPrefix',
  'jsonVersion',
  'protocol',
  'serviceId',
  'signatureVersion',
  'signingName',
  'targetPrefix',
  'xmlNamespace',
  'globalEndpoint',
  'uid',
];

// `authtype` stays because it tells the gateway which operations AWS serves unsigned.
const operationKeys = ['name', 'http', 'input', 'output', 'errors', 'deprecated', 'authtype'];
const httpKeys = ['method', 'requestUri', 'responseCode'];
// S3 names the root element of some XML request bodies on the operation's input.
const inputKeys = ['shape', 'locationName', 'xmlNamespace'];
const outputKeys = ['shape', 'resultWrapper'];

const refKeys = [
  'shape',
  'location',
  'locationName',
  'flattened',
  'xmlNamespace',
  'xmlAttribute',
  'jsonvalue',
  'idempotencyToken',
  'deprecated',
  'hostLabel',
  'streaming',
];

// `document`, `union`, `event`, `eventstream`, `locationName` and `xmlNamespace` change how a
// shape goes on the wire, so they stay although no service fedgate serves yet needs them.
const shapeKeys = [
  'type',
  'required',
  'members',
  'member',
  'key',
  'value',
  'enum',
  'min',
  'max',
  'pattern',
  'error',
  'exception',
  'fault',
  'timestampFormat',
  'payload',
  'flattened',
  'sensitive',
  'box',
  'wrapper',
  'deprecated',
  'document',
  'union',
  'event',
  'eventstream',
  'locationName',
  'xmlNamespace',
];

const errorKeys = ['code', 'httpStatusCode', 'senderFault'];
const paginatorKeys = ['input_token', 'output_token', 'limit_key', 'result_key', 'more_results'];

/** Reads and parses a JSON file, insisting on an object at the top. */
function readJson(path: string): Json {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isJson(parsed)) throw new Error(`${path}: expected a JSON object`);
  return parsed;
}

/** Tells JSON objects from arrays and scalars. */
function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies the listed keys that are present, in the list's order, so the output is stable. */
function pick(source: unknown, keys: readonly string[]): Json {
  if (!isJson(source)) return {};

  const result: Json = {};
  for (const key of keys) {
    if (source[key] !== undefined) result[key] = source[key];
  }
  return result;
}

/** Applies `trim` to every value of an object, keeping the source's key order. */
function mapValues(source: unknown, trim: (value: unknown) => unknown): Json {
  if (!isJson(source)) return {};

  return Object.fromEntries(Object.entries(source).map(([key, value]) => [key, trim(value)]));
}

/** Trims one operation to its wire contract. */
function trimOperation(source: unknown): Json {
  const operation = pick(source, operationKeys);
  operation.http = pick(operation.http, httpKeys);

  if (operation.input) operation.input = pick(operation.input, inputKeys);
  if (operation.output) operation.output = pick(operation.output, outputKeys);
  if (Array.isArray(operation.errors)) {
    operation.errors = operation.errors.map((error: unknown) => pick(error, ['shape']));
  }
  return operation;
}

/** Trims one shape: its constraints and wire traits, with member references trimmed too. */
function trimShape(source: unknown): Json {
  const shape = pick(source, shapeKeys);

  if (shape.members) shape.members = mapValues(shape.members, (ref) => pick(ref, refKeys));
  for (const key of ['member', 'key', 'value']) {
    if (shape[key]) shape[key] = pick(shape[key], refKeys);
  }
  if (shape.error) shape.error = pick(shape.error, errorKeys);
  return shape;
}

/** Adds the extra enum values of `additions` to the model; returns those actually added. */
function applyAdditions(service: string, shapes: Json): ModelAddition[] {
  const applied: ModelAddition[] = [];

  for (const addition of additions[service] ?? []) {
    const shape = shapes[addition.shape];
    if (!isJson(shape) || !Array.isArray(shape.enum)) {
      throw new Error(`${service}: addition names ${addition.shape}, which is not an enum`);
    }

    const known: unknown[] = shape.enum;
    const missing = addition.enum.filter((value) => !known.includes(value));
    // Once AWS publishes the value the addition is obsolete: say so rather than duplicate it.
    if (missing.length < addition.enum.length) {
      console.warn(`${service}: ${addition.shape} now lists some of ${addition.enum.join(', ')}`);
    }
    if (missing.length === 0) continue;

    shape.enum = [...known, ...missing];
    applied.push({ ...addition, enum: missing });
  }
  return applied;
}

/** Builds the trimmed model of one service from botocore's files in `sourceDir`. */
function trimService(sourceDir: string, service: string): Json {
  const model = readJson(join(sourceDir, service, 'service-2.json'));
  const paginators = readJson(join(sourceDir, service, 'paginators-1.json'));

  const shapes = mapValues(model.shapes, trimShape);
  const applied = applyAdditions(service, shapes);

  // The additions go right after the metadata, where a reader of the file sees them first.
  return {
    metadata: pick(model.metadata, metadataKeys),
    ...(applied.length > 0 ? { fedgateAdditions: applied } : {}),
    operations: mapValues(model.operations, trimOperation),
    shapes,
    paginators: mapValues(paginators.pagination, (p) => pick(p, paginatorKeys)),
  };
}

const readme = `# AWS service models (trimmed)

Trimmed copies of the AWS service models (botocore's \`service-2.json\` with
\`paginators-1.json\` merged in as \`paginators\`) for ${services.join(', ')}.
Documentation, examples and client-only traits are removed; operations, shapes,
constraints, error shapes and wire traits are kept. Values fedgate accepts beyond
the published model are applied and listed under \`fedgateAdditions\`.

The models are licensed by Amazon.com, Inc. or its affiliates under the
Apache License 2.0; see LICENSE.txt beside this file.

Made by \`npm run models\` (scripts/trim-models.ts). Do not edit by hand: change
the script (or its table of additions) and run it again.
`;

/** Reads `--source DIR` from the command line: a folder of `<service>/service-2.json` files. */
function sourceDirFromArgs(args: readonly string[]): string {
  const index = args.indexOf('--source');
  if (index === -1) {
    throw new Error(
      'pass --source DIR: a folder holding ecs/, cloudtrail/, sts/ and s3/, each with the AWS ' +
        'service-2.json (and paginators-1.json) of botocore, plus LICENSE.txt',
    );
  }

  const dir = args[index + 1];
  if (!dir) throw new Error('--source needs a directory');
  return resolve(dir);
}

/** Writes models/*.json, the license and the README, then the generated types. */
async function main(): Promise<void> {
  const sourceDir = sourceDirFromArgs(process.argv.slice(2));
  const outDir = join(repoRoot, 'models');
  mkdirSync(outDir, { recursive: true });

  for (const service of services) {
    const text = JSON.stringify(trimService(sourceDir, service), null, 1) + '\n';
    writeFileSync(join(outDir, `${service}.json`), text);
    console.log(`models/${service}.json: ${Buffer.byteLength(text)} bytes`);
  }

  // Read and write rather than copy: a copy would keep the source's read-only mode.
  writeFileSync(join(outDir, 'LICENSE.txt'), readFileSync(join(sourceDir, 'LICENSE.txt')));
  writeFileSync(join(outDir, 'README.md'), readme);

  await generateModelTypes(repoRoot);
}

await main();
