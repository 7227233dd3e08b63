import {
  getShape,
  type OperationModel,
  type ServiceModel,
  type StructureShape,
} from '../model/service-model.js';
import type { ProtocolRequest } from './protocol.js';

/** Where a request points: the bucket (from the host or the path) and the object key. */
export interface RequestTarget {
  readonly bucket?: string;
  readonly key?: string;
  /** The Host header without its port. */
  readonly hostname: string;
}

/**
 * Host names that carry the bucket in front (virtual-hosted style): the AWS endpoint spellings
 * (`b.s3.amazonaws.com`, `b.s3.<region>.amazonaws.com`, `b.s3-fips.<region>…`,
 * `b.s3.dualstack.<region>…`, the legacy `b.s3-<region>…`) and the local ones (`b.localhost`,
 * `b.s3.localhost`). Anything else, an IP address included, is path style.
 */
const VIRTUAL_HOSTS = [
  /^(.+?)\.s3(?:-fips)?(?:\.dualstack)?(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/,
  /^(.+?)\.(?:s3\.)?localhost$/,
];

/** Finds the bucket and key a request names, virtual-hosted or path style. */
export function requestTarget(request: ProtocolRequest): RequestTarget {
  const hostname = hostOf(request).replace(/:\d+$/, '').toLowerCase();
  const bucket = hostname === 's3.localhost' ? undefined : virtualBucket(hostname);
  const path = request.path.startsWith('/') ? request.path.slice(1) : request.path;
  if (bucket !== undefined) {
    return path === '' ? { bucket, hostname } : { bucket, key: decodePath(path), hostname };
  }

  const slash = path.indexOf('/');
  const first = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  if (first === '') return { hostname };
  const named = decodePath(first);
  return rest === ''
    ? { bucket: named, hostname }
    : { bucket: named, key: decodePath(rest), hostname };
}

function virtualBucket(hostname: string): string | undefined {
  for (const pattern of VIRTUAL_HOSTS) {
    const match = pattern.exec(hostname);
    if (match) return match[1];
  }
  return undefined;
}

function hostOf(request: ProtocolRequest): string {
  const host = request.headers.host;
  return (Array.isArray(host) ? host[0] : host) ?? '';
}

/** Percent-decodes a path part; bytes that are not UTF-8 become U+FFFD rather than throwing. */
export function decodePath(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Choosing the operation

/** What the request URI pattern of one operation asks for. */
interface Route {
  readonly name: string;
  readonly method: string;
  readonly level: 'service' | 'bucket' | 'object';
  /** Query keys the URI pattern names, with the value when it fixes one (`list-type=2`). */
  readonly query: readonly (readonly [string, string | undefined])[];
  /** Required members read from the query string or a header: they tell UploadPart from PutObject. */
  readonly requiredParams: readonly string[];
  readonly requiredHeaders: readonly string[];
  readonly deprecated: boolean;
}

/**
 * Operations answered only on endpoints fedgate does not emulate, which share a method and
 * path with one it serves (directory buckets live on S3 Express zonal endpoints).
 */
const SHADOWED = new Set(['ListDirectoryBuckets', 'WriteGetObjectResponse']);

const routeCache = new WeakMap<ServiceModel, Route[]>();

/**
 * The operation a request names: among operations whose method, path level and URI query keys
 * match, the one whose URI and required query/header members match most; deprecated
 * operations lose ties to their successors. Undefined when none matches.
 */
export function matchOperation(
  model: ServiceModel,
  request: ProtocolRequest,
  target: RequestTarget,
): string | undefined {
  const params = new URLSearchParams(request.query);
  const level =
    target.bucket === undefined ? 'service' : target.key === undefined ? 'bucket' : 'object';
  let best: { route: Route; score: number } | undefined;
  for (const route of routesOf(model)) {
    if (route.method !== request.method || route.level !== level) continue;
    const score = scoreRoute(route, params, request);
    if (score === undefined) continue;
    if (!best || score > best.score || (score === best.score && best.route.deprecated)) {
      best = { route, score };
    }
  }
  return best?.route.name;
}

function scoreRoute(route: Route, params: URLSearchParams, request: ProtocolRequest) {
  for (const [key, value] of route.query) {
    if (!params.has(key)) return undefined;
    if (value !== undefined && params.get(key) !== value) return undefined;
  }
  if (route.requiredParams.some((name) => !params.has(name))) return undefined;
  if (route.requiredHeaders.some((name) => request.headers[name] === undefined)) return undefined;
  return route.query.length + route.requiredParams.length + route.requiredHeaders.length;
}

function routesOf(model: ServiceModel): Route[] {
  let routes = routeCache.get(model);
  if (!routes) {
    routes = Object.values(model.operations)
      .filter((operation) => !SHADOWED.has(operation.name))
      .map((operation) => toRoute(model, operation));
    routeCache.set(model, routes);
  }
  return routes;
}

function toRoute(model: ServiceModel, operation: OperationModel): Route {
  const [path = '', search = ''] = operation.http.requestUri.split('?');
  const level = path.includes('{Key+}')
    ? 'object'
    : path.includes('{Bucket}')
      ? 'bucket'
      : 'service';
  const query = search
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const [key = '', value] = part.split('=');
      return [key, value] as const;
    });
  const input = operation.input
    ? (getShape(model, operation.input.shape) as StructureShape)
    : undefined;
  const required = new Set(input?.required ?? []);
  const located = Object.entries(input?.members ?? {}).filter(([name]) => required.has(name));
  const names = (where: string) =>
    located
      .filter(([, ref]) => ref.location === where)
      .map(([name, ref]) => (ref.locationName ?? name).toLowerCase());
  return {
    name: operation.name,
    method: operation.http.method,
    level,
    query,
    requiredParams: located
      .filter(([, ref]) => ref.location === 'querystring')
      .map(([name, ref]) => ref.locationName ?? name),
    requiredHeaders: names('header'),
    deprecated: operation.deprecated === true,
  };
}
