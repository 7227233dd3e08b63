/**
 * S3's aws-chunked bodies (`Content-Encoding: aws-chunked`): the payload arrives as chunks
 * `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n`, ending with a zero-size chunk and, for
 * the *-TRAILER variants, trailing headers such as `x-amz-checksum-crc32`. Signed variants chain
 * each chunk's signature to the previous one, starting from the request's own signature, so a
 * chunk cannot be changed, dropped or reordered without breaking the chain.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AuthFailure } from './errors.js';
import type { IncomingSignedRequest, VerifiedRequest } from './sigv4.js';
import { indexHeaders, headerValue } from './sigv4-canonical.js';
import { basicTimestamp, sha256Hex, TERMINATOR } from './sigv4-signing.js';

const SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
const UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const EMPTY_SHA256 = sha256Hex('');

/** A body that is not valid aws-chunked encoding, or whose checksum does not match. */
export class ChunkedBodyError extends Error {
  constructor(
    readonly code: 'IncompleteBody' | 'InvalidChunkSizeError' | 'BadDigest' | 'InvalidRequest',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** What decoding established: the payload and the trailing headers that came with it. */
export interface DecodedBody {
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

/** True when the request declares one of the streaming (aws-chunked) payload forms. */
export function isStreamingPayload(req: IncomingSignedRequest): boolean {
  return (payloadDeclaration(req) ?? '').startsWith('STREAMING-');
}

/**
 * Decodes an aws-chunked body after the request's own signature was verified, checking every
 * chunk signature (signed variants), the decoded length against x-amz-decoded-content-length
 * and a trailing checksum against the bytes.
 */
export function decodeChunkedBody(
  req: IncomingSignedRequest,
  verified: VerifiedRequest,
  secret: string,
): DecodedBody {
  const declared = payloadDeclaration(req) ?? '';
  const signed = declared === SIGNED || declared === SIGNED_TRAILER;
  if (!signed && declared !== UNSIGNED_TRAILER) {
    throw new ChunkedBodyError('InvalidRequest', `Unsupported x-amz-content-sha256: ${declared}`);
  }

  const chain = signed ? new SignatureChain(req, verified, secret) : undefined;
  const { body, trailerText } = readChunks(req.body, chain);
  const trailers = parseTrailers(trailerText, chain);
  checkDecodedLength(req, body);
  checkChecksums(body, trailers);
  return { body, trailers };
}

function payloadDeclaration(req: IncomingSignedRequest): string | undefined {
  return headerValue(indexHeaders(req.rawHeaders), 'x-amz-content-sha256');
}

/** The running signature of a signed stream: each chunk's signature covers the previous one. */
class SignatureChain {
  private previous: string;
  private readonly key: Buffer;
  private readonly timestamp: string;
  private readonly scope: string;

  constructor(req: IncomingSignedRequest, verified: VerifiedRequest, secret: string) {
    const authorization = headerValue(indexHeaders(req.rawHeaders), 'authorization') ?? '';
    const seed = /Signature=([0-9a-fA-F]{64})/.exec(authorization)?.[1];
    if (seed === undefined) {
      throw new ChunkedBodyError('InvalidRequest', 'Streaming uploads need header authentication.');
    }
    const { date, region, service } = verified.scope;
    this.previous = seed.toLowerCase();
    this.key = signingKey(secret, [date, region, service, TERMINATOR]);
    this.timestamp = basicTimestamp(verified.signedAt);
    this.scope = `${date}/${region}/${service}/${TERMINATOR}`;
  }

  /** Checks a chunk's signature and moves the chain on. */
  chunk(data: Buffer, provided: string | undefined): void {
    const hashes = `${EMPTY_SHA256}\n${sha256Hex(data)}`;
    this.check('AWS4-HMAC-SHA256-PAYLOAD', hashes, provided);
  }

  /** Checks the trailer's signature over its canonical header lines. */
  trailer(canonical: string, provided: string | undefined): void {
    this.check('AWS4-HMAC-SHA256-TRAILER', sha256Hex(canonical), provided);
  }

  private check(algorithm: string, hashes: string, provided: string | undefined): void {
    const toSign = [algorithm, this.timestamp, this.scope, this.previous, hashes].join('\n');
    const expected = createHmac('sha256', this.key).update(toSign).digest('hex');
    const a = Buffer.from((provided ?? '').toLowerCase());
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new AuthFailure(
        'badSignature',
        'The request signature we calculated does not match the signature you provided. ' +
          'Check your key and signing method.',
      );
    }
    this.previous = expected;
  }
}

function signingKey(secret: string, parts: string[]): Buffer {
  let key = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of parts) key = createHmac('sha256', key).update(part).digest();
  return key;
}

/** Reads chunk after chunk up to the zero-size one; answers the payload and the trailer text. */
function readChunks(raw: Buffer, chain: SignatureChain | undefined) {
  const pieces: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) throw new ChunkedBodyError('IncompleteBody', 'The chunked body ended early.');
    const header = raw.subarray(at, lineEnd).toString('latin1');
    const match = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-fA-F]*))?$/.exec(header);
    if (!match) throw new ChunkedBodyError('InvalidChunkSizeError', 'Malformed chunk header.');

    const size = parseInt(match[1] ?? '', 16);
    const start = lineEnd + 2;
    if (start + size > raw.length) {
      throw new ChunkedBodyError('IncompleteBody', 'The chunked body ended early.');
    }
    const data = raw.subarray(start, start + size);
    chain?.chunk(data, match[2]);
    if (size === 0) return { body: Buffer.concat(pieces), trailerText: raw.subarray(start) };

    pieces.push(data);
    if (raw.toString('latin1', start + size, start + size + 2) !== '\r\n') {
      throw new ChunkedBodyError('InvalidChunkSizeError', 'A chunk is longer than its size.');
    }
    at = start + size + 2;
  }
}

/** `name:value` lines after the last chunk; a signed stream ends with x-amz-trailer-signature. */
function parseTrailers(text: Buffer, chain: SignatureChain | undefined): Record<string, string> {
  const trailers: Record<string, string> = {};
  let canonical = '';
  let signature: string | undefined;
  for (const line of text.toString('latin1').split('\r\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ChunkedBodyError('IncompleteBody', 'Malformed trailing header.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      signature = value;
    } else {
      trailers[name] = value;
      canonical += `${name}:${value}\n`;
    }
  }
  if (chain && Object.keys(trailers).length > 0) chain.trailer(canonical, signature);
  return trailers;
}

function checkDecodedLength(req: IncomingSignedRequest, body: Buffer): void {
  const declared = headerValue(indexHeaders(req.rawHeaders), 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== body.length) {
    throw new ChunkedBodyError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
}

function checkChecksums(body: Buffer, trailers: Record<string, string>): void {
  for (const [name, value] of Object.entries(trailers)) {
    const algorithm = name.startsWith('x-amz-checksum-') ? name.slice(15) : undefined;
    if (algorithm !== undefined) checkChecksum(algorithm, body, value);
  }
}

/**
 * Compares an `x-amz-checksum-<algorithm>` value (base64) with the bytes; algorithms this
 * server cannot compute (CRC32C, CRC64NVME) are accepted unchecked.
 */
export function checkChecksum(algorithm: string, body: Buffer, expected: string): void {
  const actual = computeChecksum(algorithm.toLowerCase(), body);
  if (actual !== undefined && actual !== expected) {
    throw new ChunkedBodyError(
      'BadDigest',
      `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    );
  }
}

function computeChecksum(algorithm: string, body: Buffer): string | undefined {
  switch (algorithm) {
    case 'crc32': {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(crc32(body) >>> 0);
      return bytes.toString('base64');
    }
    case 'sha1':
    case 'sha256':
      return createHash(algorithm).update(body).digest('base64');
    default:
      return undefined;
  }
}
