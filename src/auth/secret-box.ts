import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets (secret access keys, later private keys) with AES-256-GCM under
 * the data directory's master key, so a copy of the database alone reveals no
 * secret (architecture invariant 5).
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`master key must be ${KEY_BYTES} bytes`);
    this.key = key;
  }

  /** Encrypts `plain`; the result is base64 of iv ‖ tag ‖ ciphertext. */
  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts what `seal` produced; throws when it was altered or sealed under another key. */
  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/**
 * The master key: from `FEDGATE_MASTER_KEY` (base64) when given, else from
 * `file`, which is created with mode 0600 on first use.
 */
export function loadMasterKey(file: string, fromEnv = process.env.FEDGATE_MASTER_KEY): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'base64');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
