import {
  isRecord,
  requireOperation,
  getShape,
  type ListShape,
  type MapShape,
  type Shape,
  type ShapeRef,
  type ServiceModel,
  type StructureShape,
  type TimestampShape,
} from './service-model.js';

type Json = Record<string, unknown>;

/** A timestamp as a Date, from a Date, epoch seconds or a date string; undefined otherwise. */
function asDate(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(value * 1000);
  else if (typeof value === 'string') date = new Date(value);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Bytes as base64; a string is taken to be base64 already. */
function asBase64(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/** A timestamp in the JSON protocols' form: epoch seconds, unless the shape says otherwise. */
function jsonTimestamp(shape: TimestampShape, value: unknown): unknown {
  const date = asDate(value);
  if (!date) return value;

  if (shape.timestampFormat === 'iso8601') return date.toISOString();
  if (shape.timestampFormat === 'rfc822') return date.toUTCString();
  // Milliseconds stay as the fraction, e.g. 1764778749.123, as AWS sends them.
  return date.getTime() / 1000;
}

/** Converts one value to its JSON wire form by its shape; null and undefined become undefined. */
function toJson(model: ServiceModel, shapeName: string, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = getShape(model, shapeName);

  switch (shape.type) {
    case 'structure':
      return shape.document || !isRecord(value) ? value : jsonStructure(model, shape, value);
    case 'list':
      return Array.isArray(value)
        ? value.map((item) => toJson(model, shape.member.shape, item))
        : value;
    case 'map':
      return isRecord(value) ? jsonMap(model, shape.value.shape, value) : value;
    case 'timestamp':
      return jsonTimestamp(shape, value);
    case 'blob':
      return asBase64(value);
    default:
      return value;
  }
}

/** A structure's modelled members, in model order; anything else the handler set is left out. */
function jsonStructure(model: ServiceModel, shape: StructureShape, value: Json): Json {
  const result: Json = {};

  for (const [name, ref] of Object.entries(shape.members)) {
    const member = Object.hasOwn(value, name) ? toJson(model, ref.shape, value[name]) : undefined;
    if (member !== undefined) result[name] = member;
  }
  return result;
}

/** A map's entries with converted values; entries without a value are left out. */
function jsonMap(model: ServiceModel, valueShape: string, value: Json): Json {
  const entries = Object.entries(value)
    .map(([key, item]) => [key, toJson(model, valueShape, item)] as const)
    .filter(([, item]) => item !== undefined);
  return Object.fromEntries(entries);
}

/**
 * Prepares an operation's output for JSON.stringify by walking the output shape: Dates become
 * epoch seconds (milliseconds kept as the fraction, e.g. 1764778749.123), Uint8Arrays base64,
 * and undefined, null and unmodelled members are dropped. An operation without an output
 * shape yields `{}`.
 */
export function prepareJsonOutput(
  model: ServiceModel,
  operation: string,
  output: unknown,
): unknown {
  const op = requireOperation(model, operation);
  if (!op.output) return {};

  return toJson(model, op.output.shape, output) ?? {};
}

const xmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/** Escapes text for element content or attribute values (`\r` too, so it survives parsing). */
function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (char) => xmlEntities[char] ?? char);
}

/** The namespace of a Query service's responses. */
function queryNamespace(model: ServiceModel): string {
  const namespace = model.metadata.xmlNamespace;
  if (typeof namespace === 'string') return namespace;
  if (namespace?.uri) return namespace.uri;

  const { endpointPrefix, apiVersion } = model.metadata;
  return `https://${endpointPrefix}.amazonaws.com/doc/${apiVersion}/`;
}

/** A scalar's text: timestamps as ISO-8601 with milliseconds and Z, blobs as base64. */
function scalarText(shape: Shape, value: unknown): string {
  if (shape.type === 'timestamp') {
    const date = asDate(value);
    return date ? date.toISOString() : String(value);
  }
  if (shape.type === 'blob') return String(asBase64(value));
  return String(value);
}

/** Writes values as Query-protocol XML elements, member order as in the model. */
class QueryXmlWriter {
  constructor(private readonly model: ServiceModel) {}

  /** The members of a structure, each as an element named by its locationName or name. */
  members(shape: StructureShape, value: unknown): string {
    if (!isRecord(value)) return '';

    return Object.entries(shape.members)
      .map(([name, ref]) => {
        const member = Object.hasOwn(value, name) ? value[name] : undefined;
        return this.element(ref, ref.locationName ?? name, member);
      })
      .join('');
  }

  /** One value as an element (or, for flattened lists and maps, a run of elements). */
  element(ref: ShapeRef, name: string, value: unknown): string {
    if (value === undefined || value === null) return '';
    const shape = getShape(this.model, ref.shape);

    switch (shape.type) {
      case 'structure':
        return `<${name}>${this.members(shape, value)}</${name}>`;
      case 'list':
        return this.list(shape, ref, name, value);
      case 'map':
        return this.map(shape, ref, name, value);
      default:
        return `<${name}>${escapeXml(scalarText(shape, value))}</${name}>`;
    }
  }

  /** A list: `<Name><member>..</member></Name>`, or repeated `<Name>` when flattened. */
  private list(shape: ListShape, ref: ShapeRef, name: string, value: unknown): string {
    const items: unknown[] = Array.isArray(value) ? value : [];
    const member = shape.member;

    if (shape.flattened === true || ref.flattened === true) {
      const itemName = member.locationName ?? name;
      return items.map((item) => this.element(member, itemName, item)).join('');
    }
    const itemName = member.locationName ?? 'member';
    return `<${name}>${items.map((item) => this.element(member, itemName, item)).join('')}</${name}>`;
  }

  /** A map: `<Name><entry><key>..</key><value>..</value></entry></Name>`, flattened without `entry`. */
  private map(shape: MapShape, ref: ShapeRef, name: string, value: unknown): string {
    const entries = isRecord(value) ? Object.entries(value) : [];
    const keyName = shape.key.locationName ?? 'key';
    const valueName = shape.value.locationName ?? 'value';
    const entryXml = ([key, item]: [string, unknown]): string =>
      this.element(shape.key, keyName, key) + this.element(shape.value, valueName, item);

    if (shape.flattened === true || ref.flattened === true) {
      return entries.map((entry) => `<${name}>${entryXml(entry)}</${name}>`).join('');
    }
    return `<${name}>${entries.map((entry) => `<entry>${entryXml(entry)}</entry>`).join('')}</${name}>`;
  }
}

/**
 * Produces the Query-protocol (STS) success document: `<OpResponse xmlns=..>` holding the
 * output in `<resultWrapper>` (default `<OpResult>`) and `<ResponseMetadata><RequestId>`.
 * Members go in model order with text XML-escaped, timestamps as ISO-8601 with milliseconds
 * and Z, lists as `<member>` children unless flattened. The namespace is metadata.xmlNamespace
 * or `https://<endpointPrefix>.amazonaws.com/doc/<apiVersion>/`.
 */
export function toQueryXml(
  model: ServiceModel,
  operation: string,
  output: unknown,
  requestId: string,
): string {
  const op = requireOperation(model, operation);
  const responseName = `${operation}Response`;

  let result = '';
  if (op.output) {
    const resultName = op.output.resultWrapper ?? `${operation}Result`;
    const shape = getShape(model, op.output.shape) as StructureShape;
    result = `<${resultName}>${new QueryXmlWriter(model).members(shape, output)}</${resultName}>`;
  }

  const metadata = `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`;
  const namespace = escapeXml(queryNamespace(model));
  return `<${responseName} xmlns="${namespace}">${result}${metadata}</${responseName}>`;
}
