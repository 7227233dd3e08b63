import type { AuthFailure } from '../auth/errors.js';
import type { ServiceModel } from '../model/service-model.js';
import type { DecodedInput } from '../model/validate.js';
import type { AwsError } from './errors.js';

/** A request as the protocol layer sees it: no sockets, just bytes and headers. */
export interface ProtocolRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** Header names lower-cased; repeated headers joined with ", " (Node's view). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A response ready for the wire. */
export interface ProtocolResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Text for JSON and XML documents; bytes for S3 object contents. */
  readonly body: string | Buffer;
}

/**
 * One AWS wire protocol, written once for every service that speaks it.
 * Services never see anything of this.
 */
export interface Protocol {
  /** Finds the operation a request names; throws UnknownOperationException when none. */
  operation(model: ServiceModel, request: ProtocolRequest): string;
  /** Reads the raw input from the request; throws SerializationException when unreadable. */
  rawInput(request: ProtocolRequest): unknown;
  /** Validates and types the raw input against the operation's input shape. */
  decodeInput(model: ServiceModel, operation: string, raw: unknown): DecodedInput;
  encodeOutput(
    model: ServiceModel,
    operation: string,
    output: unknown,
    requestId: string,
  ): ProtocolResponse;
  encodeError(error: AwsError, requestId: string): ProtocolResponse;
  /** The error this protocol's services answer a failed authentication with. */
  authError(failure: AuthFailure): AwsError;
}
