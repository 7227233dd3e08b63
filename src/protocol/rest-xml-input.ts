import {
  getShape,
  requireOperation,
  type ServiceModel,
  type Shape,
  type ShapeRef,
  type StructureShape,
} from '../model/service-model.js';
import type { DecodedInput, Violation } from '../model/validate.js';
import type { ProtocolRequest } from './protocol.js';
import type { RequestTarget } from './rest-xml-routing.js';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml.js';

/** A REST-XML request split into the places its input members come from. */
export interface RestXmlRaw {
  readonly target: RequestTarget;
  readonly params: URLSearchParams;
  readonly headers: ProtocolRequest['headers'];
  readonly body: Buffer;
}

/** The body is not XML, or not the XML the operation takes. */
export class MalformedBody extends Error {}

/**
 * Reads an operation's input from the URI labels, query string, headers (`x-amz-meta-*` into
 * the metadata map) and body, converting text to each member's type. A blob payload stays the
 * body's bytes; a structure payload is read from XML.
 */
export function decodeRestXmlInput(
  model: ServiceModel,
  operation: string,
  raw: RestXmlRaw,
): DecodedInput {
  const shapeName = requireOperation(model, operation).input?.shape;
  const value: Record<string, unknown> = {};
  const violations: Violation[] = [];
  if (shapeName === undefined) return { value, violations };

  const shape = getShape(model, shapeName) as StructureShape;
  for (const [name, ref] of Object.entries(shape.members)) {
    const member = readMember(model, shape, name, ref, raw, violations);
    if (member !== undefined) value[name] = member;
  }
  for (const name of shape.required ?? []) {
    if (value[name] === undefined) violations.push(missing(name, shape.members[name]));
  }
  return { value, violations };
}

function readMember(
  model: ServiceModel,
  parent: StructureShape,
  name: string,
  ref: ShapeRef,
  raw: RestXmlRaw,
  violations: Violation[],
): unknown {
  const where = ref.locationName ?? name;
  switch (ref.location) {
    case 'uri':
      return where === 'Bucket' ? raw.target.bucket : raw.target.key;
    case 'querystring':
      return raw.params.has(where)
        ? scalar(model, ref, raw.params.get(where) ?? '', name, violations, 'iso8601')
        : undefined;
    case 'header': {
      const text = headerText(raw.headers[where.toLowerCase()]);
      return text === undefined ? undefined : scalar(model, ref, text, name, violations, 'rfc822');
    }
    case 'headers':
      return prefixedHeaders(raw.headers, where.toLowerCase());
    default:
      return parent.payload === name ? payload(model, ref, raw.body) : undefined;
  }
}

function payload(model: ServiceModel, ref: ShapeRef, body: Buffer): unknown {
  const shape = getShape(model, ref.shape);
  if (shape.type === 'blob') return body;
  if (shape.type === 'string') return body.length === 0 ? undefined : body.toString('utf8');
  if (shape.type !== 'structure' || body.length === 0) return undefined;

  let root: XmlElement;
  try {
    root = parseXml(body.toString('utf8'));
  } catch (thrown) {
    if (thrown instanceof XmlSyntaxError) throw new MalformedBody(thrown.message);
    throw thrown;
  }
  if (root.name !== (ref.locationName ?? ref.shape)) throw new MalformedBody('unexpected root');
  return fromXml(model, shape, root);
}

/** An element's content as the value of `shape`; unknown elements are ignored. */
function fromXml(model: ServiceModel, shape: Shape, element: XmlElement): unknown {
  switch (shape.type) {
    case 'structure':
      return structureFromXml(model, shape, element);
    case 'list': {
      const item = shape.member.locationName ?? 'member';
      const memberShape = getShape(model, shape.member.shape);
      return element.children
        .filter((child) => child.name === item)
        .map((child) => fromXml(model, memberShape, child));
    }
    case 'map':
      return undefined;
    default:
      return textValue(shape, element.text.trim());
  }
}

function structureFromXml(model: ServiceModel, shape: StructureShape, element: XmlElement) {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members)) {
    const tag = ref.locationName ?? name;
    const memberShape = getShape(model, ref.shape);
    const found = element.children.filter((child) => child.name === tag);
    if (found.length === 0) continue;

    if (memberShape.type === 'list' && (ref.flattened || memberShape.flattened)) {
      const itemShape = getShape(model, memberShape.member.shape);
      out[name] = found.map((child) => fromXml(model, itemShape, child));
    } else {
      out[name] = fromXml(model, memberShape, found[0] as XmlElement);
    }
  }
  return out;
}

/** Converts text to a scalar of the shape's type; NaN and friends mark a bad value. */
function textValue(shape: Shape, text: string, timestampFormat = 'iso8601'): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    case 'float':
    case 'double':
      return text === '' ? Number.NaN : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : Number.NaN;
    case 'timestamp': {
      const format = shape.timestampFormat ?? timestampFormat;
      const date = format === 'unixTimestamp' ? new Date(Number(text) * 1000) : new Date(text);
      return Number.isNaN(date.getTime()) ? Number.NaN : date;
    }
    default:
      return text;
  }
}

function scalar(
  model: ServiceModel,
  ref: ShapeRef,
  text: string,
  name: string,
  violations: Violation[],
  timestampFormat: string,
): unknown {
  const shape = getShape(model, ref.shape);
  const value = textValue(shape, text, timestampFormat);
  if (typeof value === 'number' && Number.isNaN(value)) {
    violations.push({
      path: name,
      constraint: 'type',
      message: `Member must be of type ${shape.type}`,
      value: text,
      shape: ref.shape,
    });
    return undefined;
  }
  return value;
}

function prefixedHeaders(headers: RestXmlRaw['headers'], prefix: string) {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = headerText(value);
    if (name.startsWith(prefix) && text !== undefined) out[name.slice(prefix.length)] = text;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function missing(name: string, ref: ShapeRef | undefined): Violation {
  return {
    path: name,
    constraint: 'required',
    message: 'Member must not be null',
    shape: ref?.shape ?? name,
  };
}
