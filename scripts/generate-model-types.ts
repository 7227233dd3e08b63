/**
 * Writes `src/model/generated/<service>.ts`: TypeScript types for the inputs and outputs of
 * every operation of the trimmed models, so handlers are typed by the model itself. Run by
 * scripts/trim-models.ts (`npm run models`); also runnable alone with
 * `npx tsx scripts/generate-model-types.ts` after the models exist.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import type { ServiceModel, Shape, ShapeRef, StructureShape } from '../src/model/service-model.js';

/** The services that get generated types; S3 is large and not served yet. */
const typedServices = { ecs: 'Ecs', cloudtrail: 'Cloudtrail', sts: 'Sts' } as const;

/**
 * Names a generated type must not take: the globals of the ES library and TypeScript's utility
 * types (shadowing them in the module would break their use there and confuse readers), plus
 * the scalar names the models use. Host globals such as Node's `Event` are not reserved: a
 * module-level type may shadow them harmlessly, and CloudTrail's `Event` keeps its AWS name.
 * A fixed list rather than `globalThis`, so the output does not depend on the Node version.
 */
const reservedNames = new Set([
  'Array',
  'ArrayBuffer',
  'Awaited',
  'BigInt',
  'Boolean',
  'Capitalize',
  'DataView',
  'Date',
  'Error',
  'Exclude',
  'Extract',
  'Function',
  'InstanceType',
  'Integer',
  'Intl',
  'Iterable',
  'Iterator',
  'JSON',
  'Long',
  'Lowercase',
  'Map',
  'Math',
  'NonNullable',
  'Number',
  'Object',
  'Omit',
  'Parameters',
  'Partial',
  'Pick',
  'Promise',
  'PropertyKey',
  'Proxy',
  'Readonly',
  'Record',
  'Reflect',
  'RegExp',
  'Required',
  'ReturnType',
  'Set',
  'String',
  'Symbol',
  'Timestamp',
  'Uint8Array',
  'Uncapitalize',
  'Uppercase',
  'WeakMap',
  'WeakSet',
]);

/** Reads a trimmed model; it is our own output, so its shape is trusted. */
function readModel(repoRoot: string, service: string): ServiceModel {
  const text = readFileSync(join(repoRoot, 'models', `${service}.json`), 'utf8');
  return JSON.parse(text) as ServiceModel;
}

/** Finds a shape, failing on dangling references rather than emitting broken types. */
function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`${model.metadata.serviceId}: no shape ${name}`);
  return shape;
}

/** Whether a shape becomes a named export: structures and enums do, scalars are inlined. */
function isNamed(shape: Shape): boolean {
  if (shape.type === 'structure') return !shape.document;
  return shape.type === 'string' && shape.enum !== undefined;
}

/** The shapes any operation's input or output reaches, in model order. */
function reachableShapes(model: ServiceModel): string[] {
  const seen = new Set<string>();
  const pending = Object.values(model.operations).flatMap((op) =>
    [op.input?.shape, op.output?.shape].filter((name): name is string => name !== undefined),
  );

  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...childRefs(shapeOf(model, name)).map((ref) => ref.shape));
  }
  return Object.keys(model.shapes).filter((name) => seen.has(name));
}

/** The shapes a shape refers to directly. */
function childRefs(shape: Shape): ShapeRef[] {
  if (shape.type === 'structure') return Object.values(shape.members);
  if (shape.type === 'list') return [shape.member];
  if (shape.type === 'map') return [shape.key, shape.value];
  return [];
}

/** Assigns every named shape its TypeScript name, suffixing `Shape` where a name is taken. */
function assignTypeNames(
  model: ServiceModel,
  names: string[],
  prefix: string,
): Map<string, string> {
  const taken = new Set([...names, `${prefix}Operations`, `${prefix}OperationName`]);
  const typeNames = new Map<string, string>();

  for (const name of names) {
    if (!isNamed(shapeOf(model, name))) continue;

    let typeName = name;
    while (reservedNames.has(typeName) || (typeName !== name && taken.has(typeName))) {
      typeName += 'Shape';
    }
    taken.add(typeName);
    typeNames.set(name, typeName);
  }
  return typeNames;
}

/** Builds TypeScript type expressions for shape references of one model. */
class TypeWriter {
  constructor(
    private readonly model: ServiceModel,
    private readonly typeNames: Map<string, string>,
  ) {}

  /** The type expression for a shape: its exported name, or the inlined scalar type. */
  typeOf(shapeName: string): string {
    const named = this.typeNames.get(shapeName);
    if (named) return named;

    const shape = shapeOf(this.model, shapeName);
    switch (shape.type) {
      case 'structure':
        return 'unknown'; // a document: any JSON value
      case 'list':
        return `${this.elementType(shape.member.shape)}[]`;
      case 'map':
        return `Record<string, ${this.typeOf(shape.value.shape)}>`;
      case 'string':
        return 'string';
      case 'boolean':
        return 'boolean';
      case 'timestamp':
        return 'Date';
      case 'blob':
        return 'Uint8Array';
      default:
        return 'number';
    }
  }

  /** A list element's type, parenthesised when `[]` would otherwise bind too tightly. */
  private elementType(shapeName: string): string {
    const type = this.typeOf(shapeName);
    return /^[\w<>, [\]]+$/.test(type) ? type : `(${type})`;
  }

  /** The declaration of one named shape. */
  declaration(shapeName: string): string {
    const shape = shapeOf(this.model, shapeName);
    const typeName = this.typeOf(shapeName);

    if (shape.type === 'string') {
      const values = (shape.enum ?? []).map((value) => JSON.stringify(value));
      return `export type ${typeName} = ${values.join(' | ')};`;
    }
    return this.structure(typeName, shape as StructureShape);
  }

  /** An interface for a structure (a `Record<string, never>` alias when it has no members). */
  private structure(typeName: string, shape: StructureShape): string {
    const members = Object.entries(shape.members);
    if (members.length === 0) return `export type ${typeName} = Record<string, never>;`;

    const required = new Set(shape.required ?? []);
    const lines = members.map(([name, ref]) => {
      const deprecated = ref.deprecated ? '/** @deprecated */\n' : '';
      const optional = required.has(name) ? '' : '?';
      return `${deprecated}${propertyName(name)}${optional}: ${this.typeOf(ref.shape)};`;
    });
    return `export interface ${typeName} {\n${lines.join('\n')}\n}`;
  }
}

/** A member name as a property key, quoted when it is not an identifier. */
function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The `<Service>Operations` interface and the operation-name type. */
function operationsDeclaration(model: ServiceModel, prefix: string, writer: TypeWriter): string {
  const none = 'Record<string, never>';
  const lines = Object.entries(model.operations).map(([name, op]) => {
    const input = op.input ? writer.typeOf(op.input.shape) : none;
    const output = op.output ? writer.typeOf(op.output.shape) : none;
    return `${name}: { input: ${input}; output: ${output} };`;
  });

  return [
    `/** Input and output types of every operation of the ${model.metadata.serviceId} API, by name. */`,
    `export interface ${prefix}Operations {\n${lines.join('\n')}\n}\n`,
    `/** The name of an operation of the ${model.metadata.serviceId} API. */`,
    `export type ${prefix}OperationName = keyof ${prefix}Operations;`,
  ].join('\n');
}

/** The unformatted source of one generated file. */
function generateSource(model: ServiceModel, service: string, prefix: string): string {
  const reachable = reachableShapes(model);
  const typeNames = assignTypeNames(model, reachable, prefix);
  const writer = new TypeWriter(model, typeNames);

  const header = `// Generated by scripts/generate-model-types.ts from models/${service}.json; do not edit.`;
  const declarations = [...typeNames.keys()].map((name) => writer.declaration(name));
  return [header, operationsDeclaration(model, prefix, writer), ...declarations].join('\n\n');
}

/** Generates, formats (with the project's Prettier settings) and writes every typed service. */
export async function generateModelTypes(repoRoot: string): Promise<void> {
  const outDir = join(repoRoot, 'src', 'model', 'generated');
  mkdirSync(outDir, { recursive: true });

  for (const [service, prefix] of Object.entries(typedServices)) {
    const file = join(outDir, `${service}.ts`);
    const source = generateSource(readModel(repoRoot, service), service, prefix);
    const config = await prettier.resolveConfig(file);
    writeFileSync(file, await prettier.format(source, { ...config, filepath: file }));
    console.log(`src/model/generated/${service}.ts written`);
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  await generateModelTypes(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
}
