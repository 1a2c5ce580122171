import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PalisadeError } from '@palisade/core';

/** The key file name inside the data directory. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * Reads the deployment's tokenization key from `<dataDir>/secret.key`, creating it (32 random bytes,
 * hex, mode 0600) on first run. Losing the file means new tokens no longer match old ones.
 */
export function loadOrCreateSecretKey(dataDir: string): Uint8Array {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64,}$/.test(text)) {
      throw new PalisadeError('PAL_ERR_SECRET_KEY', `${path} is not a Palisade secret key (64+ hex characters)`);
    }
    return Buffer.from(text, 'hex');
  } catch (error) {
    if (error instanceof PalisadeError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PalisadeError('PAL_ERR_SECRET_KEY', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const key = randomBytes(32);
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(dataDir);
    throw new PalisadeError('PAL_ERR_SECRET_KEY', `cannot create ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return key;
}
