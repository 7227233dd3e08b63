import {
  isRecord,
  requireOperation,
  getShape,
  type ListShape,
  type MapShape,
  type OperationModel,
  type ServiceModel,
  type Shape,
  type ShapeRef,
  type StringShape,
  type StructureShape,
} from './service-model.js';

/** One way a request breaks its operation's input shape. */
export interface Violation {
  /**
   * Member path as AWS JSON and Query services print it: the model's member names with the
   * first letter lower-cased, joined by dots, list elements as `.<1-based index>.member`,
   * e.g. 'lookupAttributes.1.member.attributeKey'. A map's key and scalar value violations
   * are reported at the map's own path (see `message`).
   */
  path: string;
  constraint: 'required' | 'type' | 'enum' | 'length' | 'range' | 'pattern';
  /**
   * The Coral-style constraint text, e.g. "Member must not be null", "Member must satisfy enum
   * value set: [a, b]", "Member must have length less than or equal to 200", "Member must have
   * value less than or equal to 50", "Member must satisfy regular expression pattern: ^x$".
   * Type mismatches read "Member must be of type integer" (AWS answers those with a
   * SerializationException, which a service may prefer). Map keys and values are wrapped as
   * "Map keys must satisfy constraint: [...]" and "Map value must satisfy constraint: [...]".
   */
  message: string;
  /** The offending value (undefined for 'required'). */
  value?: unknown;
  /** Name of the shape the member refers to (e.g. 'LookupAttributeKey'), so services can map violations to their own error types. */
  shape: string;
}

/** An operation's input after validation: the cleaned value and what was wrong with it. */
export interface DecodedInput {
  value: Record<string, unknown>;
  violations: Violation[];
}

type Json = Record<string, unknown>;

/** A member's path segment: Coral prints member names with a lower-case first letter. */
function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent === '' ? name : `${parent}.${name}`;
}

// An ISO-8601 date-time with a zone, the only timestamp string form AWS JSON services accept.
const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Compiled model patterns; null marks one that is not a valid JS regex and so is not enforced.
const patternCache = new Map<string, RegExp | null>();

/** Compiles a model pattern once, with the `u` flag Smithy's semantics call for. */
function compilePattern(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    let compiled: RegExp | null;
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      compiled = null;
    }
    patternCache.set(pattern, compiled);
  }
  return patternCache.get(pattern) ?? null;
}

const notNull = 'Member must not be null';

/** Walks one input value against the model, collecting violations and the decoded value. */
class InputDecoder {
  readonly violations: Violation[] = [];

  constructor(private readonly model: ServiceModel) {}

  /** Records a violation. */
  private fail(violation: Violation): undefined {
    this.violations.push(violation);
    return undefined;
  }

  /** Records a type mismatch; the value is then left out of the result. */
  private typeError(shapeName: string, shape: Shape, value: unknown, path: string): undefined {
    const message = `Member must be of type ${shape.type}`;
    return this.fail({ path, constraint: 'type', message, value, shape: shapeName });
  }

  /** Decodes any value by its shape; undefined when it has the wrong type. */
  decode(shapeName: string, value: unknown, path: string): unknown {
    const shape = getShape(this.model, shapeName);

    switch (shape.type) {
      case 'structure':
        return shape.document ? value : this.structure(shapeName, shape, value, path);
      case 'list':
        return this.list(shapeName, shape, value, path);
      case 'map':
        return this.map(shapeName, shape, value, path);
      case 'string':
        return this.string(shapeName, shape, value, path);
      default:
        return this.scalar(shapeName, shape, value, path);
    }
  }

  /** A structure: required members present, known members decoded, unknown ones dropped. */
  structure(
    shapeName: string,
    shape: StructureShape,
    value: unknown,
    path: string,
  ): Json | undefined {
    if (!isRecord(value)) return this.typeError(shapeName, shape, value, path);

    const required = new Set(shape.required ?? []);
    const result: Json = {};
    for (const [name, ref] of Object.entries(shape.members)) {
      const decoded = this.member(name, ref, value, required.has(name), memberPath(path, name));
      if (decoded !== undefined) result[name] = decoded;
    }
    return result;
  }

  /** One member of a structure; JSON null counts as absent. */
  private member(
    name: string,
    ref: ShapeRef,
    value: Json,
    required: boolean,
    path: string,
  ): unknown {
    const raw = Object.hasOwn(value, name) ? value[name] : undefined;
    if (raw !== undefined && raw !== null) return this.decode(ref.shape, raw, path);

    if (required) this.fail({ path, constraint: 'required', message: notNull, shape: ref.shape });
    return undefined;
  }

  /** A list: its length, then each element at `<path>.<n>.member`. */
  private list(
    shapeName: string,
    shape: ListShape,
    value: unknown,
    path: string,
  ): unknown[] | undefined {
    if (!Array.isArray(value)) return this.typeError(shapeName, shape, value, path);

    this.checkBounds('length', value.length, shapeName, value, path);
    const result: unknown[] = [];
    value.forEach((item: unknown, index) => {
      const decoded = this.listItem(shape.member.shape, item, `${path}.${index + 1}.member`);
      if (decoded !== undefined) result.push(decoded);
    });
    return result;
  }

  /** One list element; AWS lists are dense, so a null element is a missing value. */
  private listItem(shapeName: string, item: unknown, path: string): unknown {
    if (item !== null && item !== undefined) return this.decode(shapeName, item, path);

    return this.fail({ path, constraint: 'required', message: notNull, shape: shapeName });
  }

  /** A map: its size, then each key and value. */
  private map(shapeName: string, shape: MapShape, value: unknown, path: string): Json | undefined {
    if (!isRecord(value)) return this.typeError(shapeName, shape, value, path);

    const entries = Object.entries(value);
    this.checkBounds('length', entries.length, shapeName, value, path);
    const decoded = entries.flatMap(([key, item]) => this.mapEntry(shape, key, item, path));
    // fromEntries defines own properties, so a key like `__proto__` cannot touch the prototype.
    return Object.fromEntries(decoded);
  }

  /** One map entry; an entry with a bad key or value is left out. */
  private mapEntry(shape: MapShape, key: string, item: unknown, path: string): [string, unknown][] {
    const keyOk = this.wrapped('Map keys', path, () => this.decode(shape.key.shape, key, path));
    const valueShape = getShape(this.model, shape.value.shape);

    let decoded: unknown;
    if (item === null || item === undefined) {
      const message = `Map value must satisfy constraint: [${notNull}]`;
      decoded = this.fail({ path, constraint: 'required', message, shape: shape.value.shape });
    } else if (['structure', 'list', 'map'].includes(valueShape.type)) {
      // Nested containers report their own members' paths below the key.
      decoded = this.decode(shape.value.shape, item, `${path}.${key}`);
    } else {
      decoded = this.wrapped('Map value', path, () => this.decode(shape.value.shape, item, path));
    }
    return keyOk !== undefined && decoded !== undefined ? [[key, decoded]] : [];
  }

  /** Runs a check and rewords its violations the way Coral reports map keys and values. */
  private wrapped(what: string, path: string, check: () => unknown): unknown {
    const before = this.violations.length;
    const result = check();

    for (const violation of this.violations.slice(before)) {
      violation.path = path;
      violation.message = `${what} must satisfy constraint: [${violation.message}]`;
    }
    return result;
  }

  /** A string: type, enum, length in code points, pattern. */
  private string(shapeName: string, shape: StringShape, value: unknown, path: string): unknown {
    if (typeof value !== 'string') return this.typeError(shapeName, shape, value, path);

    if (shape.enum && !shape.enum.includes(value)) {
      const message = `Member must satisfy enum value set: [${shape.enum.join(', ')}]`;
      this.fail({ path, constraint: 'enum', message, value, shape: shapeName });
    }
    this.checkBounds('length', [...value].length, shapeName, value, path);
    this.checkPattern(shapeName, shape, value, path);
    return value;
  }

  /** Numbers, booleans, timestamps and blobs: converted from their JSON form, then bounded. */
  private scalar(shapeName: string, shape: Shape, value: unknown, path: string): unknown {
    const converted = convertScalar(shape, value);
    if (converted === undefined) return this.typeError(shapeName, shape, value, path);

    if (converted instanceof Uint8Array) {
      this.checkBounds('length', converted.length, shapeName, value, path);
    } else if (typeof converted === 'number') {
      this.checkBounds('range', converted, shapeName, converted, path);
    }
    return converted;
  }

  /** Checks `min`/`max`: a length for strings, lists, maps and blobs, a range for numbers. */
  private checkBounds(
    kind: 'length' | 'range',
    size: number,
    shapeName: string,
    value: unknown,
    path: string,
  ): void {
    const { min, max } = getShape(this.model, shapeName) as { min?: number; max?: number };
    const noun = kind === 'length' ? 'length' : 'value';
    const base = { path, constraint: kind, value, shape: shapeName };

    if (max !== undefined && size > max) {
      this.fail({ ...base, message: `Member must have ${noun} less than or equal to ${max}` });
    }
    if (min !== undefined && size < min) {
      this.fail({ ...base, message: `Member must have ${noun} greater than or equal to ${min}` });
    }
  }

  /** Checks a pattern the Smithy way: an unanchored search. */
  private checkPattern(shapeName: string, shape: StringShape, value: string, path: string): void {
    const regex = shape.pattern === undefined ? null : compilePattern(shape.pattern);
    if (!regex || regex.test(value)) return;

    const message = `Member must satisfy regular expression pattern: ${shape.pattern}`;
    this.fail({ path, constraint: 'pattern', message, value, shape: shapeName });
  }
}

/** Converts a JSON scalar to its runtime form, or undefined when it has the wrong type. */
function convertScalar(shape: Shape, value: unknown): unknown {
  switch (shape.type) {
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'integer':
      return integerIn(value, 2 ** 31);
    case 'long':
      return integerIn(value, 2 ** 53);
    case 'float':
    case 'double':
      return toDouble(value);
    case 'timestamp':
      return toDate(value);
    case 'blob':
      return typeof value === 'string' && base64.test(value) ? decodeBase64(value) : undefined;
    default:
      return undefined;
  }
}

/** An integral number within ±limit (int32 for integer, the safe range for long). */
function integerIn(value: unknown, limit: number): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  return value >= -limit && value < limit ? value : undefined;
}

/** A JSON number, or one of the strings Smithy's JSON protocols use for non-finite values. */
function toDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  return undefined;
}

/** Epoch seconds (fractions allowed) or an ISO-8601 string, as a Date. */
function toDate(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000);
  if (typeof value === 'string' && isoTimestamp.test(value)) date = new Date(value);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Base64 to a plain Uint8Array (not a Buffer, so results compare equal in tests and code). */
function decodeBase64(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** Validates an input structure that is already in runtime form (JSON-parsed or query-decoded). */
function decodeStructureInput(
  model: ServiceModel,
  op: OperationModel,
  input: unknown,
): DecodedInput {
  if (!op.input) return { value: {}, violations: [] };

  const decoder = new InputDecoder(model);
  const shape = getShape(model, op.input.shape) as StructureShape;
  const body = input === undefined || input === null ? {} : input;
  const value = decoder.structure(op.input.shape, shape, body, '') ?? {};
  return { value, violations: decoder.violations };
}

/**
 * Validates a JSON-protocol input (already JSON.parse'd) against the operation's input shape:
 * required members, scalar types (string, boolean, integer/long = integral number,
 * float/double = number, timestamp = epoch seconds or an ISO-8601 string, blob = base64
 * string), enum, min/max (length for strings/lists/maps/blobs, value range for numbers) and
 * pattern (Smithy semantics: an unanchored search; patterns that do not compile as JS regexes
 * with the 'u' flag are skipped). Unknown members are dropped from the returned value, as AWS
 * ignores them; timestamps come back as Date objects, blobs as Uint8Array; a null member
 * counts as absent; the input may be `{}` or missing for operations without input. Never
 * throws for bad input, but throws for an operation the model does not have: the router is
 * expected to answer unknown operations before validating.
 */
export function decodeInput(model: ServiceModel, operation: string, input: unknown): DecodedInput {
  return decodeStructureInput(model, requireOperation(model, operation), input);
}

const maxValueLength = 200;

/** A value as Coral prints it, cut to a readable length. */
function renderValue(value: unknown): string {
  const text = valueText(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength)}...` : text;
}

/** The text of a value: strings bare, lists like Java's `[a, b]`, other objects as JSON. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? String(value);
  return String(value);
}

/** One violation as AWS words it. */
function formatViolation(violation: Violation): string {
  const value = violation.constraint === 'required' ? 'null' : `'${renderValue(violation.value)}'`;
  return `Value ${value} at '${violation.path}' failed to satisfy constraint: ${violation.message}`;
}

/**
 * Formats violations like AWS JSON services: "1 validation error detected: Value 'x' at 'name'
 * failed to satisfy constraint: Member must satisfy enum value set: [a, b]", and for several
 * "2 validation errors detected: ...; Value ..." (joined with '; '). A 'required' violation
 * reads "Value null at 'x' failed to satisfy constraint: Member must not be null". Values
 * longer than 200 characters are cut. Returns '' for no violations.
 */
export function formatViolations(violations: Violation[]): string {
  if (violations.length === 0) return '';

  const count = violations.length;
  const head = `${count} validation error${count === 1 ? '' : 's'} detected: `;
  return head + violations.map(formatViolation).join('; ');
}

/** Reads Query-protocol (form-encoded) parameters into the nested runtime form of a shape. */
class QueryReader {
  private readonly keys: string[];

  constructor(
    private readonly model: ServiceModel,
    private readonly params: URLSearchParams,
  ) {
    this.keys = [...new Set(params.keys())];
  }

  /** Whether any parameter is the prefix itself or lies below it. */
  private present(prefix: string): boolean {
    return this.keys.some((key) => key === prefix || key.startsWith(`${prefix}.`));
  }

  /** The indexes used below `prefix` (`prefix.<n>...`), ascending. */
  private indexes(prefix: string): number[] {
    const found = new Set<number>();
    for (const key of this.keys) {
      if (!key.startsWith(`${prefix}.`)) continue;
      const segment = key.slice(prefix.length + 1).split('.')[0] ?? '';
      if (/^\d+$/.test(segment)) found.add(Number(segment));
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Reads the value of `ref` found at `prefix`. */
  read(ref: ShapeRef, prefix: string): unknown {
    const shape = getShape(this.model, ref.shape);

    switch (shape.type) {
      case 'structure':
        return this.structure(shape, prefix);
      case 'list':
        return this.list(shape, ref, prefix);
      case 'map':
        return this.map(shape, ref, prefix);
      default:
        return queryScalar(shape, this.params.get(prefix));
    }
  }

  /** A structure: members at `prefix.<Name>` (or their locationName). */
  structure(shape: StructureShape, prefix: string): Json {
    const result: Json = {};

    for (const [name, ref] of Object.entries(shape.members)) {
      const key =
        prefix === '' ? (ref.locationName ?? name) : `${prefix}.${ref.locationName ?? name}`;
      // Only present members are read, which also keeps recursive shapes finite.
      if (this.present(key)) result[name] = this.read(ref, key);
    }
    return result;
  }

  /** A list: `Name.member.N` (or `Name.N` flattened); a bare `Name=` is an empty list. */
  private list(shape: ListShape, ref: ShapeRef, prefix: string): unknown[] {
    const flattened = shape.flattened === true || ref.flattened === true;
    const itemName = shape.member.locationName ?? 'member';
    const listPrefix = flattened ? prefix : `${prefix}.${itemName}`;

    return this.indexes(listPrefix).map((index) =>
      this.read(shape.member, `${listPrefix}.${index}`),
    );
  }

  /** A map: `Name.entry.N.key` / `Name.entry.N.value` (without `.entry` when flattened). */
  private map(shape: MapShape, ref: ShapeRef, prefix: string): Json {
    const flattened = shape.flattened === true || ref.flattened === true;
    const entryPrefix = flattened ? prefix : `${prefix}.entry`;
    const keyName = shape.key.locationName ?? 'key';
    const valueName = shape.value.locationName ?? 'value';

    const entries = this.indexes(entryPrefix).map((index) => {
      const at = `${entryPrefix}.${index}`;
      return [
        this.params.get(`${at}.${keyName}`) ?? '',
        this.read(shape.value, `${at}.${valueName}`),
      ];
    });
    return Object.fromEntries(entries);
  }
}

/**
 * Converts a form value to the JSON form the validator expects. A value that does not parse
 * stays a string, so the validator reports it as a type violation.
 */
function queryScalar(shape: Shape, text: string | null): unknown {
  if (text === null) return undefined;

  switch (shape.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'float':
    case 'double':
      return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'timestamp':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    default:
      return text;
  }
}

/**
 * For the Query protocol (STS, form-encoded): turns flat params like `Tags.member.1.Key=a` into
 * the nested input shape using the model (lists `.member.N`, maps `.entry.N.key/value`,
 * flattened lists `Name.N`), converting numbers and booleans from their text, then validates
 * like decodeInput. `Action` and `Version` are not members and are ignored.
 */
export function decodeQueryInput(
  model: ServiceModel,
  operation: string,
  params: URLSearchParams,
): DecodedInput {
  const op = requireOperation(model, operation);
  if (!op.input) return { value: {}, violations: [] };

  const shape = getShape(model, op.input.shape) as StructureShape;
  const nested = new QueryReader(model, params).structure(shape, '');
  return decodeStructureInput(model, op, nested);
}
