// kiemdiem voting booth: the casting steps of votes.md §4 and §7.1 in the browser.
//
// Written once more, independently of the Python code, from the specification and
// the published vectors (votes/vectors/*.json); `node --test booth/test` checks every
// deterministic vector byte for byte.  All group and scalar arithmetic goes through
// the audited @noble packages (votes.md §3.1): the ristretto255 point class and its
// scalar field Fn.  No curve or field arithmetic is written here.
//
// Pitfalls handled (votes.md §3.2, §4.1):
// * an encoding with bit 255 set is rejected before decoding (libsodium ignores it);
// * the identity is rejected wherever a point comes from another party;
// * `multiply` rejects 0: secret scalars use it, public ones use `multiplyUnsafe`.

import { ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import {
  bytesToHex,
  concatBytes,
  hexToBytes,
  randomBytes,
  utf8ToBytes,
} from '@noble/hashes/utils.js';

const Point = ristretto255.Point;
const Fn = Point.Fn;

export const SUITE = 'ristretto255-sha512-v1';
export const L = Fn.ORDER;
export const LEVELS = 3;
export const TAG_BIT = 'kiemdiem/vote/v1/bit';
export const TAG_SUM = 'kiemdiem/vote/v1/sum';
export const TAG_DEC = 'kiemdiem/vote/v1/dec';
const BALLOT_PREFIX = 'kiemdiem/vote/v1/ballot\n';
const BALLOT_SIG_PREFIX = 'kiemdiem/vote/v1/ballot-sig\n';
const RECEIPT_PREFIX = 'kiemdiem/vote/v1/receipt\n';
const CHECKSUM_PREFIX = 'kiemdiem/vote/v1/credential-check\n';
const CREDENTIAL_INFO = 'kiemdiem/vote/v1/credential';
const QR_PREFIX = 'KDVOTE1:';
const MANIFEST_PREFIX = 'kiemdiem/vote/v1/manifest\n';
const FINGERPRINT_PREFIX = 'kiemdiem/vote/v1/fingerprint\n';
const MAX_INT = 2 ** 53 - 1;

export class BoothError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------
// Bytes, hex (lowercase only) and base32 (RFC 4648, no padding)
// ---------------------------------------------------------------------------
export const toHex = bytesToHex;

export function fromHex(value, nbytes) {
  if (typeof value !== 'string' || value.length !== 2 * nbytes || !/^[0-9a-f]*$/.test(value)) {
    throw new BoothError('hex', `expected ${2 * nbytes} lowercase hex characters`);
  }
  return hexToBytes(value);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text) {
    const index = B32.indexOf(ch);
    if (index < 0) throw new BoothError('credential', 'not a base32 slip code');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function group4(text) {
  return text.match(/.{1,4}/g).join('-');
}

function u32be(value) {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new BoothError('int32', 'value does not fit in 32 bits');
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export const int32 = u32be;

// ---------------------------------------------------------------------------
// Canonical JSON (votes.md §4.2)
// ---------------------------------------------------------------------------
function codePointCompare(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function canonicalText(value) {
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_INT || Object.is(value, -0)) {
      throw new BoothError('canonical', 'only integers up to 2^53-1');
    }
    return String(value);
  }
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new BoothError('canonical', 'lone surrogate');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(codePointCompare);
    return `{${keys.map((k) => `${canonicalText(k)}:${canonicalText(value[k])}`).join(',')}}`;
  }
  throw new BoothError('canonical', `type ${typeof value} is not allowed`);
}

/** The canonical UTF-8 bytes of a JSON value. */
export function canonical(value) {
  return utf8ToBytes(canonicalText(value));
}

/** Parse text and require that it is already canonical. */
export function parseCanonical(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (exc) {
    throw new BoothError('canonical', `not JSON: ${exc.message}`);
  }
  if (canonicalText(value) !== text) {
    throw new BoothError('canonical', 'text differs from the canonical serialisation');
  }
  return value;
}

// ---------------------------------------------------------------------------
// Group wrapper (votes.md §3.2, §4.1)
// ---------------------------------------------------------------------------
export const IDENTITY = Point.ZERO;
export const G = Point.BASE;

export function decodePoint(bytes, { allowIdentity = false } = {}) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new BoothError('point', 'a point is 32 bytes');
  }
  if (bytes[31] & 0x80) throw new BoothError('point', 'bit 255 set');
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch {
    throw new BoothError('point', 'not a canonical ristretto255 encoding');
  }
  if (!allowIdentity && point.is0()) throw new BoothError('point', 'identity not allowed');
  return point;
}

export function pointHex(hex, options) {
  return decodePoint(fromHex(hex, 32), options);
}

export const encodePoint = (point) => point.toBytes();

export function decodeScalar(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new BoothError('scalar', 'a scalar is 32 bytes');
  }
  const value = leToInt(bytes);
  if (value >= L) throw new BoothError('scalar', 'scalar not below the group order');
  return value;
}

export const scalarHex = (hex) => decodeScalar(fromHex(hex, 32));

function leToInt(bytes) {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

export function encodeScalar(k) {
  const out = new Uint8Array(32);
  let v = k;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

/** reduce(64 bytes): the 64-byte little-endian integer mod L. */
export function reduce64(bytes) {
  if (bytes.length !== 64) throw new BoothError('scalar', 'reduce64 needs 64 bytes');
  return Fn.create(leToInt(bytes));
}

/** k·P for a public k that may be 0 (the identity rule of §3.2). */
const mulPublic = (k, P) => (k === 0n ? IDENTITY : P.multiplyUnsafe(k));
/** k·P for a secret, non-zero k (constant-time ladder of noble). */
const mulSecret = (k, P) => P.multiply(k);
const msgPoint = (m) => (m === 0 ? IDENTITY : mulPublic(BigInt(m), G));

/** Randomness: r = reduce(64 CSPRNG bytes), retried while r = 0 (§3.3). */
export const systemRandomness = {
  scalar() {
    for (;;) {
      const r = reduce64(randomBytes(64));
      if (r !== 0n) return r;
    }
  },
};

/** Replays given scalars (hex) in order: only the vector tests use it. */
export function replayRandomness(hexScalars) {
  let i = 0;
  return {
    scalar() {
      if (i >= hexScalars.length) throw new Error('replay randomness exhausted');
      return scalarHex(hexScalars[i++]);
    },
  };
}

// ---------------------------------------------------------------------------
// Transcripts (votes.md §3.4)
// ---------------------------------------------------------------------------
function asItem(item) {
  if (item instanceof Uint8Array) return item;
  if (item instanceof Point) return item.toBytes();
  if (typeof item === 'bigint') return encodeScalar(item);
  throw new BoothError('transcript', 'unknown item type');
}

export function transcript(dst, ...items) {
  const parts = [utf8ToBytes(dst), ...items.map(asItem)];
  return concatBytes(...parts.flatMap((p) => [u32be(p.length), p]));
}

export const hashToScalar = (dst, ...items) => reduce64(sha512(transcript(dst, ...items)));

// ---------------------------------------------------------------------------
// ElGamal and proofs (votes.md §3.3, §3.5)
// ---------------------------------------------------------------------------
export function encrypt(Y, m, r) {
  return { a: mulSecret(r, G), b: mulSecret(r, Y).add(msgPoint(m)) };
}

const addCt = (x, y) => ({ a: x.a.add(y.a), b: x.b.add(y.b) });

function branch(Y, ct, j, c, v) {
  const a = mulPublic(v, G).subtract(mulPublic(c, ct.a));
  const b = mulPublic(v, Y).subtract(mulPublic(c, ct.b.subtract(msgPoint(j))));
  return [a, b];
}

/** Disjunctive Chaum–Pedersen proof that ct encrypts m ∈ {0,1}; draws c_k, v_k, w. */
export function proveZeroOrOne(tag, ctx, Y, ct, m, r, rng) {
  if (m !== 0 && m !== 1) throw new BoothError('proof', 'only 0 or 1 can be proven');
  const k = 1 - m;
  const ck = rng.scalar();
  const vk = rng.scalar();
  const w = rng.scalar();
  const sim = branch(Y, ct, k, ck, vk);
  const real = [mulSecret(w, G), mulSecret(w, Y)];
  const commitments = m === 0 ? [...real, ...sim] : [...sim, ...real];
  const c = hashToScalar(tag, ...ctx, Y, ct.a, ct.b, ...commitments);
  const cm = Fn.sub(c, ck);
  const vm = Fn.add(w, Fn.mul(cm, r));
  return m === 0 ? [cm, ck, vm, vk] : [ck, cm, vk, vm];
}

export function verifyZeroOrOne(tag, ctx, Y, ct, proof) {
  const [c0, c1, v0, v1] = proof;
  const [a0, b0] = branch(Y, ct, 0, c0, v0);
  const [a1, b1] = branch(Y, ct, 1, c1, v1);
  const c = hashToScalar(tag, ...ctx, Y, ct.a, ct.b, a0, b0, a1, b1);
  return Fn.add(c0, c1) === c;
}

/** Chaum–Pedersen check of a partial decryption D_j (§3.5 e). */
export function verifyDecryption(fingerprint, j, leader, level, ct, V, D, proof) {
  const [c, u] = proof;
  const k1 = mulPublic(u, G).subtract(mulPublic(c, V));
  const k2 = mulPublic(u, ct.a).subtract(mulPublic(c, D));
  const expected = hashToScalar(
    TAG_DEC, fingerprint, int32(j), int32(leader), int32(level), ct.a, ct.b, V, D, k1, k2,
  );
  return expected === c;
}

export const bitContext = (fp, cred, leader, level) => [fp, cred, int32(leader), int32(level)];
export const sumContext = (fp, cred, leader) => [fp, cred, int32(leader)];

// ---------------------------------------------------------------------------
// Manifest hash and fingerprint (§4.3)
// ---------------------------------------------------------------------------
export function manifestHash(manifest) {
  return sha256(concatBytes(utf8ToBytes(MANIFEST_PREFIX), canonical(manifest)));
}

export function fingerprint(manifestHashHex, commitments, electionKey, verificationKeys) {
  const body = {
    commitments,
    election_key: electionKey,
    manifest_hash: manifestHashHex,
    verification_keys: verificationKeys,
  };
  return sha256(concatBytes(utf8ToBytes(FINGERPRINT_PREFIX), canonical(body)));
}

export const shortFingerprint = (digest) => group4(base32(digest.slice(0, 10)));

// ---------------------------------------------------------------------------
// Credentials (§4.6) and Ed25519 keys (§3.6)
// ---------------------------------------------------------------------------
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

export function isSmallOrder(pub) {
  const masked = Uint8Array.from(pub);
  masked[31] &= 0x7f;
  return SMALL_ORDER_Y.includes(toHex(masked));
}

export function checkPublicKey(pub) {
  if (!(pub instanceof Uint8Array) || pub.length !== 32) {
    throw new BoothError('key', 'an Ed25519 public key is 32 bytes');
  }
  if (isSmallOrder(pub)) throw new BoothError('key', 'small-order Ed25519 public key');
  try {
    ed25519.Point.fromBytes(pub);
  } catch {
    throw new BoothError('key', 'not an Ed25519 public key');
  }
  return pub;
}

export function verifySignature(pub, message, sig) {
  checkPublicKey(pub);
  try {
    return ed25519.verify(sig, message, pub, { zip215: false });
  } catch {
    return false;
  }
}

function checksum(electionId, secret) {
  return sha256(concatBytes(utf8ToBytes(CHECKSUM_PREFIX), utf8ToBytes(electionId), secret))
    .slice(0, 2);
}

/** A slip: the code typed or scanned, checked and turned into the credential key. */
export function parseCode(electionId, typed) {
  const text = String(typed).toUpperCase().replace(/[\s-]/g, '');
  if (text.length !== 32) throw new BoothError('credential', 'a slip code has 32 characters');
  const raw = base32Decode(text);
  const secret = raw.slice(0, 18);
  const check = raw.slice(18);
  if (raw.length !== 20 || toHex(checksum(electionId, secret)) !== toHex(check)) {
    throw new BoothError('credential', 'checksum mismatch: mistyped code or another election');
  }
  return slipFromSecret(electionId, secret);
}

export function slipFromSecret(electionId, secret) {
  const seed = hkdf(sha256, secret, utf8ToBytes(electionId), utf8ToBytes(CREDENTIAL_INFO), 32);
  const code = group4(base32(concatBytes(secret, checksum(electionId, secret))));
  return {
    code,
    qr: `${QR_PREFIX}${electionId}:${code.replace(/-/g, '')}`,
    seed,
    credentialPub: ed25519.getPublicKey(seed),
  };
}

export function parseQr(electionId, payload) {
  const text = String(payload);
  if (!text.startsWith(QR_PREFIX)) throw new BoothError('credential', 'not a kiemdiem slip QR');
  const rest = text.slice(QR_PREFIX.length);
  const cut = rest.lastIndexOf(':');
  if (cut < 0) throw new BoothError('credential', 'not a kiemdiem slip QR');
  if (rest.slice(0, cut) !== electionId) {
    throw new BoothError('credential', 'the slip belongs to another election');
  }
  return parseCode(electionId, rest.slice(cut + 1));
}

/** A typed code or a scanned QR payload. */
export function parseSlipInput(electionId, input) {
  const text = String(input).trim();
  return text.toUpperCase().startsWith(QR_PREFIX)
    ? parseQr(electionId, text)
    : parseCode(electionId, text);
}

// ---------------------------------------------------------------------------
// Ballots (§4.4, §4.5, §7.1 step 4)
// ---------------------------------------------------------------------------
export function ballotHash(ballot) {
  return sha256(concatBytes(utf8ToBytes(BALLOT_PREFIX), canonical(ballot)));
}

export const trackingCode = (digest) => group4(base32(digest.slice(0, 10)));

/**
 * Encrypt and prove one ballot.  choices[ℓ] is 0, 1, 2 or null (no mark: invalid
 * for that leader only); a second mark for one leader cannot be expressed.
 * Randomness is drawn per leader: r_0..r_2, the three slot proofs, the sum proof.
 */
export function encryptBallot(fingerprintBytes, Y, credential, choices, rng = systemRandomness) {
  const answers = [];
  const openings = [];
  choices.forEach((choice, leader) => {
    if (choice !== null && ![0, 1, 2].includes(choice)) {
      throw new BoothError('choice', 'a choice is a level 0..2 or null');
    }
    const marks = [0, 1, 2].map((level) => (choice === level ? 1 : 0));
    const rs = marks.map(() => rng.scalar());
    const cts = marks.map((m, level) => encrypt(Y, m, rs[level]));
    const slots = cts.map((ct, level) => {
      const ctx = bitContext(fingerprintBytes, credential, leader, level);
      const proof = proveZeroOrOne(TAG_BIT, ctx, Y, ct, marks[level], rs[level], rng);
      return {
        a: toHex(ct.a.toBytes()),
        b: toHex(ct.b.toBytes()),
        proof: proof.map((s) => toHex(encodeScalar(s))),
      };
    });
    const total = cts.reduce(addCt);
    const totalR = Fn.add(Fn.add(rs[0], rs[1]), rs[2]);
    const sumProof = proveZeroOrOne(
      TAG_SUM, sumContext(fingerprintBytes, credential, leader), Y, total,
      marks[0] + marks[1] + marks[2], totalR, rng,
    );
    answers.push({ choices: slots, sum_proof: sumProof.map((s) => toHex(encodeScalar(s))) });
    openings.push(rs.map((r) => toHex(encodeScalar(r))));
  });
  const ballot = {
    answers,
    credential: toHex(credential),
    election: toHex(fingerprintBytes),
    suite: SUITE,
    v: 1,
  };
  return { ballot, choices: [...choices], randomness: openings };
}

/** {"ballot", "sig"} in canonical text, signed with the credential's seed. */
export function makeSubmission(seed, ballot) {
  const pub = ed25519.getPublicKey(seed);
  if (toHex(pub) !== ballot.credential) {
    throw new BoothError('key', "the key does not match the ballot's credential");
  }
  const message = concatBytes(utf8ToBytes(BALLOT_SIG_PREFIX), canonical(ballot));
  const sig = ed25519.sign(message, seed);
  return new TextDecoder().decode(canonical({ ballot, sig: toHex(sig) }));
}

/** Check a ballot's proofs the way the server does (§7.2 steps 3–10, stateless). */
export function checkBallot(ballot, fingerprintBytes, Y, leaderCount) {
  const keys = (o) => Object.keys(o).sort().join(',');
  if (keys(ballot) !== 'answers,credential,election,suite,v') {
    throw new BoothError('schema', 'ballot keys');
  }
  if (ballot.v !== 1 || ballot.suite !== SUITE) throw new BoothError('version', 'suite');
  const election = fromHex(ballot.election, 32);
  if (toHex(election) !== toHex(fingerprintBytes)) {
    throw new BoothError('election', 'ballot made for another election');
  }
  const credential = fromHex(ballot.credential, 32);
  if (!Array.isArray(ballot.answers) || ballot.answers.length !== leaderCount) {
    throw new BoothError('schema', 'one answer per leader');
  }
  const seen = new Set();
  ballot.answers.forEach((answer, leader) => {
    if (keys(answer) !== 'choices,sum_proof' || answer.choices.length !== LEVELS) {
      throw new BoothError('schema', `answer ${leader}`);
    }
    const cts = answer.choices.map((slot, level) => {
      if (keys(slot) !== 'a,b,proof' || slot.proof.length !== 4) {
        throw new BoothError('schema', `slot ${leader}/${level}`);
      }
      const ct = { a: pointHex(slot.a), b: pointHex(slot.b) };
      const proof = slot.proof.map(scalarHex);
      const ctx = bitContext(election, credential, leader, level);
      if (!verifyZeroOrOne(TAG_BIT, ctx, Y, ct, proof)) {
        throw new BoothError('proof', `slot proof leader ${leader} level ${level}`);
      }
      if (seen.has(slot.a)) throw new BoothError('replay', 'ciphertext repeated');
      seen.add(slot.a);
      return ct;
    });
    const sumProof = answer.sum_proof.map(scalarHex);
    const ctx = sumContext(election, credential, leader);
    if (!verifyZeroOrOne(TAG_SUM, ctx, Y, cts.reduce(addCt), sumProof)) {
      throw new BoothError('proof', `sum proof leader ${leader}`);
    }
  });
  return ballotHash(ballot);
}

/** Re-encrypt an audit opening (§7.1 step 5) and compare with the ballot. */
export function checkOpening(ballot, Y, choices, randomness) {
  ballot.answers.forEach((answer, leader) => {
    answer.choices.forEach((slot, level) => {
      const m = choices[leader] === level ? 1 : 0;
      const ct = encrypt(Y, m, scalarHex(randomness[leader][level]));
      if (toHex(ct.a.toBytes()) !== slot.a || toHex(ct.b.toBytes()) !== slot.b) {
        throw new BoothError('audit', `opening differs at leader ${leader} level ${level}`);
      }
    });
  });
  return true;
}

// ---------------------------------------------------------------------------
// Receipt (§7.3) and results arithmetic (§9)
// ---------------------------------------------------------------------------
export function verifyReceipt(receipt, servicePubHex, fingerprintHex, ballotHashHex) {
  const body = receipt && receipt.body;
  if (!body || typeof receipt.sig !== 'string') throw new BoothError('receipt', 'shape');
  const message = concatBytes(utf8ToBytes(RECEIPT_PREFIX), canonical(body));
  if (!verifySignature(fromHex(servicePubHex, 32), message, fromHex(receipt.sig, 64))) {
    throw new BoothError('receipt', 'the receipt signature is not the ballot box key');
  }
  if (body.election !== fingerprintHex || body.ballot_hash !== ballotHashHex) {
    throw new BoothError('receipt', 'the receipt is for another ballot');
  }
  if (body.tracking_code !== trackingCode(hexToBytes(ballotHashHex))) {
    throw new BoothError('receipt', 'tracking code mismatch');
  }
  return body;
}

export function band(returned, low) {
  if (low * 3 >= returned * 2) return 'GTE_TWO_THIRDS';
  if (low * 2 > returned) return 'GT_HALF';
  return 'NONE';
}

export function displayPercent(count, returned) {
  if (returned <= 0) throw new BoothError('results', 'no ballots returned');
  const hundredths = Math.floor((20000 * count + returned) / (2 * returned));
  return `${Math.floor(hundredths / 100)},${String(hundredths % 100).padStart(2, '0')}%`;
}

/** Load the booth's election data and check the fingerprint locally (§7.1 step 1). */
export function loadElection(data) {
  const mh = manifestHash(data.manifest);
  if (toHex(mh) !== data.manifest_hash) {
    throw new BoothError('election', 'manifest hash differs from the published one');
  }
  const key = data.key;
  const fp = fingerprint(
    data.manifest_hash, data.commitments, key.election_key, key.verification_keys,
  );
  if (toHex(fp) !== key.fingerprint) {
    throw new BoothError('election', 'fingerprint differs from the published one');
  }
  return {
    manifest: data.manifest,
    electionId: data.manifest.election_id,
    fingerprint: fp,
    shortFingerprint: shortFingerprint(fp),
    electionKey: pointHex(key.election_key),
    credentials: new Set(data.credentials || []),
    voided: new Set(data.voided || []),
  };
}

export { bytesToHex, hexToBytes };
