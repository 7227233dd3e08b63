import { send } from './http-client.js';
import { LIST_ACCOUNT_SETTINGS, type Operation } from './operations.js';
import type { Peer } from './peers.js';
import { signOperation, type Credentials } from './sign.js';

/** Sends `operation`, signed, once; answers its HTTP status. */
export async function probeStatus(
  peer: Peer,
  operation: Operation,
  credentials: Credentials,
): Promise<number> {
  const answer = await send(peer.target, await signOperation(operation, peer.target, credentials));
  return answer.status;
}

/**
 * Fails unless `peer` refuses a request signed with the wrong secret with a
 * signature error (JSON services answer 400 InvalidSignatureException): a server
 * that skipped signature checks would post numbers no real deployment gets.
 */
export async function checkSignatureEnforced(peer: Peer, credentials: Credentials): Promise<void> {
  const forged = { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` };
  const signed = await signOperation(LIST_ACCOUNT_SETTINGS, peer.target, forged);
  const { status, body } = await send(peer.target, signed);
  if (status >= 400 && status < 500 && body.includes('Signature')) return;
  throw new Error(
    `${peer.name} answered ${status} to a request signed with the wrong secret, ` +
      `not a signature error: ${body}`,
  );
}
