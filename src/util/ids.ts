import { randomBytes, randomUUID } from 'node:crypto';

/** Where fedgate draws identifiers and secrets, so tests can make them predictable. */
export interface IdSource {
  /** A random RFC 4122 version 4 UUID. */
  uuid(): string;

  /** `length` characters drawn uniformly from `alphabet`. */
  chars(alphabet: string, length: number): string;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Identifiers from the operating system's CSPRNG. */
export const randomIds: IdSource = {
  uuid: () => randomUUID(),
  chars(alphabet, length) {
    // Rejection sampling keeps every character equally likely for any alphabet size.
    const limit = 256 - (256 % alphabet.length);
    let out = '';
    while (out.length < length) {
      for (const byte of randomBytes(length * 2)) {
        if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
      }
    }
    return out;
  },
};

/** A 12-digit AWS account id that does not start with 0. */
export function newAccountId(ids: IdSource): string {
  return ids.chars('123456789', 1) + ids.chars('0123456789', 11);
}

/** An access key id shaped like AWS's long-term keys: `AKIA` and 16 characters. */
export function newAccessKeyId(ids: IdSource): string {
  return 'AKIA' + ids.chars(UPPER_ALNUM, 16);
}

/** A 40-character secret access key. */
export function newSecretAccessKey(ids: IdSource): string {
  return ids.chars(SECRET_ALPHABET, 40);
}

/** An IAM unique id with the prefix AWS gives its kind (`AIDA` users, `AROA` roles). */
export function newUniqueId(ids: IdSource, prefix: 'AIDA' | 'AROA'): string {
  return prefix + ids.chars(UPPER_ALNUM, 17);
}
