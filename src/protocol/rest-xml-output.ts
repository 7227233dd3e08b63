import {
  getShape,
  requireOperation,
  type ServiceModel,
  type Shape,
  type ShapeRef,
  type StructureShape,
} from '../model/service-model.js';
import type { ProtocolResponse } from './protocol.js';
import { escapeXmlText } from './xml.js';

/** The namespace S3 writes on every response document. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Root element names S3 answers with, where they differ from `<Operation>Result`. */
const ROOT_NAMES: Record<string, string> = {
  ListBuckets: 'ListAllMyBucketsResult',
  ListObjects: 'ListBucketResult',
  ListObjectsV2: 'ListBucketResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult',
};

/**
 * Encodes an operation's output: header members as headers (`x-amz-meta-*` from the metadata
 * map), a blob or string payload as the raw body, and the remaining members as S3's XML.
 */
export function encodeRestXmlOutput(
  model: ServiceModel,
  operation: string,
  output: unknown,
  headers: Record<string, string>,
): ProtocolResponse {
  const op = requireOperation(model, operation);
  const values = isObject(output) ? output : {};
  const shape = op.output ? (getShape(model, op.output.shape) as StructureShape) : undefined;
  // A ranged read is the one S3 answer with 206 Partial Content.
  const status = typeof values.ContentRange === 'string' ? 206 : (op.http.responseCode ?? 200);
  if (!shape) return { status, headers: { ...headers, 'content-length': '0' }, body: '' };

  const out = { ...headers };
  writeHeaders(model, shape, values, out);
  const body = responseBody(model, operation, shape, values, out);
  if (out['content-length'] === undefined) out['content-length'] = String(byteLength(body));
  return { status, headers: out, body };
}

function writeHeaders(
  model: ServiceModel,
  shape: StructureShape,
  values: Record<string, unknown>,
  out: Record<string, string>,
): void {
  for (const [name, ref] of Object.entries(shape.members)) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    if (ref.location === 'header') {
      out[(ref.locationName ?? name).toLowerCase()] = headerValue(model, ref, value);
    } else if (ref.location === 'headers' && isObject(value)) {
      const prefix = (ref.locationName ?? '').toLowerCase();
      for (const [key, text] of Object.entries(value)) out[prefix + key] = String(text);
    }
  }
}

function responseBody(
  model: ServiceModel,
  operation: string,
  shape: StructureShape,
  values: Record<string, unknown>,
  out: Record<string, string>,
): string | Buffer {
  if (shape.payload !== undefined) {
    const ref = shape.members[shape.payload] as ShapeRef;
    const value = values[shape.payload];
    if (Buffer.isBuffer(value)) return value;
    if (typeof value === 'string') return value;
    if (!isObject(value)) return '';
    out['content-type'] ??= 'application/xml';
    const root = ref.locationName ?? ref.shape;
    return document(root, writeMembers(model, getShape(model, ref.shape), value));
  }

  const bodyMembers = Object.entries(shape.members).filter(([, ref]) => ref.location === undefined);
  if (bodyMembers.length === 0) return '';
  out['content-type'] = 'application/xml';
  if (operation === 'GetBucketLocation') return locationDocument(values.LocationConstraint);
  return document(
    ROOT_NAMES[operation] ?? `${operation}Result`,
    writeMembers(model, shape, values),
  );
}

/** GetBucketLocation's document is the bare constraint, empty for us-east-1. */
function locationDocument(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return text === ''
    ? `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NAMESPACE}"/>`
    : `${XML_DECLARATION}<LocationConstraint xmlns="${S3_NAMESPACE}">${escapeXmlText(text)}</LocationConstraint>`;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function document(root: string, inner: string): string {
  return `${XML_DECLARATION}<${root} xmlns="${S3_NAMESPACE}">${inner}</${root}>`;
}

function writeMembers(model: ServiceModel, shape: Shape, value: unknown): string {
  if (shape.type !== 'structure' || !isObject(value)) return scalarText(shape, value);
  let xml = '';
  for (const [name, ref] of Object.entries(shape.members)) {
    const member = value[name];
    if (member === undefined || member === null || ref.location !== undefined) continue;
    xml += writeMember(model, ref.locationName ?? name, ref, member);
  }
  return xml;
}

function writeMember(model: ServiceModel, tag: string, ref: ShapeRef, value: unknown): string {
  const shape = getShape(model, ref.shape);
  if (shape.type === 'list' && Array.isArray(value)) {
    const itemShape = getShape(model, shape.member.shape);
    const items = value.map((item) => writeMembers(model, itemShape, item));
    if (ref.flattened || shape.flattened) return items.map((x) => `<${tag}>${x}</${tag}>`).join('');
    const itemTag = shape.member.locationName ?? 'member';
    return `<${tag}>${items.map((x) => `<${itemTag}>${x}</${itemTag}>`).join('')}</${tag}>`;
  }
  return `<${tag}>${writeMembers(model, shape, value)}</${tag}>`;
}

function scalarText(shape: Shape, value: unknown): string {
  if (value instanceof Date) {
    return shape.type === 'timestamp' && shape.timestampFormat === 'rfc822'
      ? value.toUTCString()
      : value.toISOString();
  }
  return escapeXmlText(String(value));
}

function headerValue(model: ServiceModel, ref: ShapeRef, value: unknown): string {
  const shape = getShape(model, ref.shape);
  if (value instanceof Date) {
    return shape.type === 'timestamp' && shape.timestampFormat === 'iso8601'
      ? value.toISOString()
      : value.toUTCString();
  }
  return String(value);
}

function byteLength(body: string | Buffer): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
