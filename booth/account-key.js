// Mode B (votes.md §6.2): open the member's own wrapped account key in the browser.
//
// The record is the one the server keeps (ledger.md §4.4, ledger/keywrap.py):
//   KEK = Argon2id(NFC UTF-8 password, salt, t, m KiB, p lanes, 32 bytes)
//   seed = AES-256-GCM-decrypt(KEK, nonce, ct, AAD)
//   AAD = "kiemdiem-keywrap/v1\n" || user_id || "\n" || key_id || "\n" || "ed25519"
// with exactly the fields, versions, canonical base64 and parameter caps that
// ledger/keywrap.py accepts; votes/vectors/keywrap.json is checked by both sides.
// Argon2id comes from @noble/hashes, AES-GCM from WebCrypto (crypto.subtle), the
// key from @noble/curves; nothing here is hand-written cryptography.  The password
// is used only in this page for this step: it is never sent to the server.

import { ed25519 } from '@noble/curves/ed25519.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const AAD_PREFIX = 'kiemdiem-keywrap/v1\n';
export const MAX_T = 64;
export const MAX_M = 1 << 21; // KiB, as in ledger/keywrap.py
export const MAX_P = 64;
const FIELDS = 'alg,ct,kdf,m,nonce,p,salt,t,v';

export class KeyUnwrapError extends Error {
  constructor(detail) {
    // One message for every failure, as on the server: wrong password or record.
    super('Mật khẩu không đúng hoặc bản ghi khóa bị hỏng.');
    this.code = 'key_unwrap';
    this.detail = detail;
  }
}

function b64decode(value, size) {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new KeyUnwrapError('not base64');
  }
  const text = atob(value);
  const raw = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
  if (raw.length !== size || btoa(text) !== value) {
    throw new KeyUnwrapError('wrong size or non-canonical base64');
  }
  return raw;
}

const isInt = (x) => typeof x === 'number' && Number.isInteger(x);

/** The record's shape and parameters, exactly as ledger/keywrap.py checks them. */
export function parseRecord(wrapped) {
  if (wrapped === null || typeof wrapped !== 'object' || Array.isArray(wrapped)) {
    throw new KeyUnwrapError('not an object');
  }
  if (Object.keys(wrapped).sort().join(',') !== FIELDS) throw new KeyUnwrapError('fields');
  if (wrapped.v !== 1 || wrapped.alg !== 'ed25519' || wrapped.kdf !== 'argon2id') {
    throw new KeyUnwrapError('unknown record version or algorithm');
  }
  const { t, m, p } = wrapped;
  if (!isInt(t) || !isInt(m) || !isInt(p)) throw new KeyUnwrapError('parameters');
  if (!(t >= 1 && t <= MAX_T && p >= 1 && p <= MAX_P && m >= 8 * p && m <= MAX_M)) {
    throw new KeyUnwrapError('parameters out of range');
  }
  return {
    t,
    m,
    p,
    salt: b64decode(wrapped.salt, 16),
    nonce: b64decode(wrapped.nonce, 12),
    ct: b64decode(wrapped.ct, 32 + 16),
  };
}

export function aad(userId, keyId) {
  if (userId.includes('\n') || keyId.includes('\n')) throw new KeyUnwrapError('newline');
  return utf8ToBytes(`${AAD_PREFIX}${userId}\n${keyId}\ned25519`);
}

/**
 * The 32-byte Ed25519 seed, or KeyUnwrapError.  `onProgress(fraction)` reports the
 * Argon2id progress (64 MiB, 3 passes by default: a few seconds in a browser).
 */
export async function unwrapSeed(wrapped, password, userId, keyId, { onProgress, subtle } = {}) {
  const record = parseRecord(wrapped);
  const additional = aad(userId, keyId);
  const kek = await argon2idAsync(utf8ToBytes(password.normalize('NFC')), record.salt, {
    t: record.t,
    m: record.m,
    p: record.p,
    dkLen: 32,
    maxmem: 2 ** 32 - 1,
    asyncTick: 50,
    onProgress,
  });
  const crypto = subtle || globalThis.crypto.subtle;
  try {
    const key = await crypto.importKey('raw', kek, { name: 'AES-GCM' }, false, ['decrypt']);
    const plain = await crypto.decrypt(
      { name: 'AES-GCM', iv: record.nonce, additionalData: additional, tagLength: 128 },
      key,
      record.ct,
    );
    return new Uint8Array(plain);
  } catch {
    throw new KeyUnwrapError('authentication failed');
  } finally {
    kek.fill(0);
  }
}

/**
 * Open the member's record from /booth/my-key.json and check that the key is the
 * one on the eligible list: returns { seed, publicKey }.
 */
export async function openAccountKey(record, password, options = {}) {
  const seed = await unwrapSeed(record.wrapped, password, record.user_id, record.key_id, options);
  const pub = ed25519.getPublicKey(seed);
  if (bytesToHex(pub) !== record.account_pub) {
    seed.fill(0);
    throw new KeyUnwrapError('the key is not the listed account key');
  }
  return { seed, publicKey: pub };
}
