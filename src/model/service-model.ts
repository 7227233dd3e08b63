import { readFileSync } from 'node:fs';

/** The services fedgate carries a trimmed model for (see `npm run models`). */
export type ServiceName = 'ecs' | 'cloudtrail' | 'sts' | 's3';

/** An XML namespace as botocore writes it: a bare URI or `{ uri, prefix }`. */
export type XmlNamespace = string | { uri: string; prefix?: string };

/** A reference from a member (or list member, map key or value) to a shape, with its wire traits. */
export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  flattened?: boolean;
  xmlNamespace?: XmlNamespace;
  xmlAttribute?: boolean;
  jsonvalue?: boolean;
  idempotencyToken?: boolean;
  deprecated?: boolean;
  hostLabel?: boolean;
  streaming?: boolean;
}

/** Traits any shape may carry. */
interface ShapeCommon {
  sensitive?: boolean;
  deprecated?: boolean;
  locationName?: string;
  xmlNamespace?: XmlNamespace;
}

/** The `error` trait of an exception shape. */
export interface ErrorTrait {
  code?: string;
  httpStatusCode?: number;
  senderFault?: boolean;
}

/** A structure; `document` marks a free-form JSON value, `union` exactly-one-member. */
export interface StructureShape extends ShapeCommon {
  type: 'structure';
  members: Record<string, ShapeRef>;
  required?: string[];
  error?: ErrorTrait;
  exception?: boolean;
  fault?: boolean;
  payload?: string;
  document?: boolean;
  union?: boolean;
  event?: boolean;
  eventstream?: boolean;
  wrapper?: boolean;
}

/** A list; `min`/`max` bound its length. */
export interface ListShape extends ShapeCommon {
  type: 'list';
  member: ShapeRef;
  min?: number;
  max?: number;
  flattened?: boolean;
}

/** A map with string keys; `min`/`max` bound its entry count. */
export interface MapShape extends ShapeCommon {
  type: 'map';
  key: ShapeRef;
  value: ShapeRef;
  min?: number;
  max?: number;
  flattened?: boolean;
}

/** A string, possibly an enum; `min`/`max` bound its length in code points. */
export interface StringShape extends ShapeCommon {
  type: 'string';
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

/** A number; `min`/`max` bound its value. */
export interface NumberShape extends ShapeCommon {
  type: 'integer' | 'long' | 'float' | 'double';
  min?: number;
  max?: number;
  box?: boolean;
}

/** A boolean. */
export interface BooleanShape extends ShapeCommon {
  type: 'boolean';
  box?: boolean;
}

/** A point in time; `timestampFormat` overrides the protocol's default wire format. */
export interface TimestampShape extends ShapeCommon {
  type: 'timestamp';
  timestampFormat?: 'iso8601' | 'rfc822' | 'unixTimestamp';
}

/** Binary data; `min`/`max` bound its length in bytes. */
export interface BlobShape extends ShapeCommon {
  type: 'blob';
  min?: number;
  max?: number;
}

/** Any shape of a trimmed model, told apart by `type`. */
export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape;

/** One operation of a trimmed model. */
export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string; locationName?: string; xmlNamespace?: XmlNamespace };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
  deprecated?: boolean;
  /** Present on operations AWS serves unsigned (STS AssumeRoleWithSAML/WebIdentity). */
  authtype?: string;
}

/** How a List/Describe operation pages, from botocore's paginators-1.json. */
export interface Paginator {
  input_token?: string | string[];
  output_token?: string | string[];
  limit_key?: string;
  result_key?: string | string[];
  more_results?: string;
}

/** A value fedgate accepts beyond the published model, recorded by the trim script. */
export interface ModelAddition {
  shape: string;
  enum: string[];
  reason: string;
}

/** A trimmed service model as `npm run models` writes it to `models/<service>.json`. */
export interface ServiceModel {
  metadata: {
    apiVersion: string;
    endpointPrefix: string;
    protocol: string;
    serviceId: string;
    signatureVersion?: string;
    uid?: string;
    jsonVersion?: string;
    signingName?: string;
    targetPrefix?: string;
    xmlNamespace?: XmlNamespace;
    globalEndpoint?: string;
  };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
  paginators: Record<string, Paginator>;
  fedgateAdditions?: ModelAddition[];
}

const cache = new Map<ServiceName, ServiceModel>();

/**
 * Reads `models/<name>.json` from the package root, once per process. The path is taken
 * from this file's URL: it sits two levels below the root both as `src/model/*.ts` (tsx)
 * and as `dist/model/*.js` (built), so one relative URL serves both.
 */
export function loadServiceModel(name: ServiceName): ServiceModel {
  const cached = cache.get(name);
  if (cached) return cached;

  const url = new URL(`../../models/${name}.json`, import.meta.url);
  const model = parseModel(readFileSync(url, 'utf8'), url.pathname);
  cache.set(name, model);
  return model;
}

/** Parses a model file, checking just enough that a wrong file fails loudly at startup. */
function parseModel(text: string, where: string): ServiceModel {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || !isRecord(parsed.operations) || !isRecord(parsed.shapes)) {
    throw new Error(`${where} is not a trimmed service model; run npm run models`);
  }

  return parsed as unknown as ServiceModel;
}

/** Looks up a shape by name; a dangling reference is a bug in the model file, so it throws. */
export function getShape(model: ServiceModel, name: string): Shape {
  const shape = Object.hasOwn(model.shapes, name) ? model.shapes[name] : undefined;
  if (!shape) throw new Error(`Shape ${name} is not in the ${model.metadata.serviceId} model`);
  return shape;
}

/** Looks up an operation by name, or undefined when the model has no such operation. */
export function findOperation(model: ServiceModel, name: string): OperationModel | undefined {
  return Object.hasOwn(model.operations, name) ? model.operations[name] : undefined;
}

/** Tells plain objects from arrays, null and scalars. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The operation, or an Error: callers reach only operations the model has (routing checked). */
export function requireOperation(model: ServiceModel, operation: string): OperationModel {
  const found = findOperation(model, operation);
  if (!found) throw new Error(`${model.metadata.serviceId} has no operation ${operation}`);
  return found;
}
