// The booth reproduces the published vectors (votes.md §12) byte for byte.
// Run: node --test booth/test   (the Python suite runs it too: tests/unit/votes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { ed25519 } from '@noble/curves/ed25519.js';

import * as keys from '../account-key.js';
import * as booth from '../kiemdiem-booth.js';

const VECTORS = new URL('../../votes/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8'));
const hex = booth.toHex;
const enc = (s) => new TextEncoder().encode(s);

test('group: generator multiples, identity and every invalid encoding', () => {
  const v = load('group.json');
  assert.equal(booth.L.toString(), v.order);
  assert.equal(hex(booth.G.toBytes()), v.generator);
  for (const c of v.multiples) {
    const k = BigInt(c.k);
    const p = k === 0n ? booth.IDENTITY : booth.G.multiplyUnsafe(k);
    assert.equal(hex(p.toBytes()), c.point, `k = ${c.k}`);
  }
  for (const c of v.invalid_points) {
    assert.throws(() => booth.pointHex(c.hex, { allowIdentity: true }), booth.BoothError, c.reason);
  }
  assert.throws(() => booth.pointHex(v.identity.hex), booth.BoothError);
  assert.ok(booth.pointHex(v.identity.hex, { allowIdentity: true }).is0());
  for (const c of v.scalars) {
    if (c.valid) assert.equal(hex(booth.encodeScalar(booth.scalarHex(c.hex))), c.hex);
    else assert.throws(() => booth.scalarHex(c.hex), booth.BoothError);
  }
});

test('group: an encoding with bit 255 set is refused (the libsodium note)', () => {
  const g = booth.G.toBytes();
  const high = Uint8Array.from(g);
  high[31] |= 0x80;
  assert.throws(() => booth.decodePoint(high), /bit 255/);
  assert.ok(booth.decodePoint(g).equals(booth.G));
});

test('hash to scalar: transcript bytes and scalars', () => {
  for (const c of load('hash_to_scalar.json').cases) {
    const items = c.items.map((h) => booth.hexToBytes(h));
    assert.equal(hex(booth.transcript(c.dst, ...items)), c.transcript);
    assert.equal(hex(booth.encodeScalar(booth.hashToScalar(c.dst, ...items))), c.scalar);
  }
});

test('canonical JSON: serialisation and every rejection', () => {
  const v = load('canonical_json.json');
  for (const c of v.valid) {
    assert.equal(new TextDecoder().decode(booth.canonical(c.value)), c.canonical);
    assert.deepEqual(booth.parseCanonical(c.canonical), c.value);
  }
  for (const c of v.reject) {
    assert.throws(() => booth.parseCanonical(c.text), booth.BoothError, c.reason);
  }
  for (const c of v.hex) {
    if (c.valid) assert.equal(hex(booth.fromHex(c.value, c.bytes)), c.value);
    else assert.throws(() => booth.fromHex(c.value, c.bytes), booth.BoothError);
  }
});

test('credential codes: code, QR, seed and key; bad codes refused', () => {
  const v = load('credentials.json');
  for (const c of v.cases) {
    for (const typed of [c.code, c.code.toLowerCase().replace(/-/g, ' '), c.qr]) {
      const slip = booth.parseSlipInput(c.election_id, typed);
      assert.equal(slip.code, c.code);
      assert.equal(slip.qr, c.qr);
      assert.equal(hex(slip.seed), c.seed);
      assert.equal(hex(slip.credentialPub), c.credential_pub);
    }
    const fresh = booth.slipFromSecret(c.election_id, booth.hexToBytes(c.k));
    assert.equal(fresh.code, c.code);
  }
  for (const c of v.reject) {
    assert.throws(() => booth.parseCode(c.election_id, c.code), booth.BoothError, c.reason);
  }
  for (const c of v.reject_qr) {
    assert.throws(() => booth.parseQr(c.election_id, c.qr), booth.BoothError);
  }
});

test('Ed25519: ballot and receipt signatures; small-order keys refused', () => {
  const v = load('ed25519.json');
  const b = v.ballot_signature;
  const seed = booth.hexToBytes(b.seed);
  assert.equal(hex(ed25519.getPublicKey(seed)), b.public);
  assert.equal(hex(ed25519.sign(booth.hexToBytes(b.message), seed)), b.signature);
  const r = v.receipt_signature;
  const message = booth.hexToBytes(r.message);
  const prefix = enc('kiemdiem/vote/v1/receipt\n');
  assert.equal(hex(message), hex(new Uint8Array([...prefix, ...booth.canonical(r.body)])));
  assert.ok(booth.verifySignature(booth.hexToBytes(r.public), message, booth.hexToBytes(r.signature)));
  for (const key of v.small_order_public_keys) {
    assert.throws(() => booth.checkPublicKey(booth.hexToBytes(key)), booth.BoothError, key);
  }
});

test('encryption: (Y, m, r) gives (A, B)', () => {
  for (const c of load('encryption.json').cases) {
    const ct = booth.encrypt(booth.pointHex(c.election_key), c.m, booth.scalarHex(c.r));
    assert.equal(hex(ct.a.toBytes()), c.a);
    assert.equal(hex(ct.b.toBytes()), c.b);
  }
});

test('0/1 proofs: exact scalars from fixed nonces; every negative case rejected', () => {
  const v = load('proofs.json');
  const Y = booth.pointHex(v.election_key);
  const fp = booth.hexToBytes(v.fingerprint);
  const cred = booth.hexToBytes(v.credential);
  for (const c of v.bit) {
    const ct = { a: booth.pointHex(c.a), b: booth.pointHex(c.b) };
    const ctx = booth.bitContext(fp, cred, c.leader, c.level);
    const rng = booth.replayRandomness(c.nonces_ck_vk_w);
    const proof = booth.proveZeroOrOne(booth.TAG_BIT, ctx, Y, ct, c.m, booth.scalarHex(c.r), rng);
    assert.deepEqual(proof.map((s) => hex(booth.encodeScalar(s))), c.proof);
    assert.ok(booth.verifyZeroOrOne(booth.TAG_BIT, ctx, Y, ct, proof));
    for (const bad of c.invalid) {
      const context = bad.context ? bad.context.map((h) => booth.hexToBytes(h)) : ctx;
      const scalars = bad.proof.map(booth.scalarHex);
      assert.equal(booth.verifyZeroOrOne(booth.TAG_BIT, context, Y, ct, scalars), false, bad.change);
    }
  }
  for (const c of v.sum) {
    const slots = c.slots.map((s) => ({ a: booth.pointHex(s.a), b: booth.pointHex(s.b) }));
    const total = slots.reduce((x, y) => ({ a: x.a.add(y.a), b: x.b.add(y.b) }));
    assert.equal(hex(total.a.toBytes()), c.sum.a);
    assert.equal(hex(total.b.toBytes()), c.sum.b);
    const ctx = booth.sumContext(fp, cred, c.leader);
    const ok = booth.verifyZeroOrOne(booth.TAG_SUM, ctx, Y, total, c.proof.map(booth.scalarHex));
    assert.equal(ok, c.valid, JSON.stringify(c.marks));
  }
  const f = v.m2_forgery;
  const ct2 = { a: booth.pointHex(f.a), b: booth.pointHex(f.b) };
  const ctx2 = booth.bitContext(fp, cred, 0, 0);
  assert.equal(booth.verifyZeroOrOne(booth.TAG_BIT, ctx2, Y, ct2, f.proof.map(booth.scalarHex)), false);
  assert.throws(() => booth.proveZeroOrOne(booth.TAG_BIT, ctx2, Y, ct2, 2, 1n, booth.systemRandomness));
});

test('full ballots: canonical bytes, hash, tracking code and signed submission', () => {
  for (const c of load('ballots.json').ballots) {
    const Y = booth.pointHex(c.election_key);
    const fp = booth.hexToBytes(c.fingerprint);
    const seed = booth.hexToBytes(c.credential_seed);
    const cred = ed25519.getPublicKey(seed);
    assert.equal(hex(booth.manifestHash(c.manifest)).length, 64);
    const opening = booth.encryptBallot(fp, Y, cred, c.choices, booth.replayRandomness(c.draws));
    assert.equal(new TextDecoder().decode(booth.canonical(opening.ballot)), c.ballot_canonical);
    assert.deepEqual(opening.randomness, c.randomness);
    const digest = booth.ballotHash(opening.ballot);
    assert.equal(hex(digest), c.ballot_hash);
    assert.equal(booth.trackingCode(digest), c.tracking_code);
    assert.equal(booth.makeSubmission(seed, opening.ballot), c.submission);
    assert.equal(hex(booth.checkBallot(opening.ballot, fp, Y, c.leaders)), c.ballot_hash);
    assert.ok(booth.checkOpening(opening.ballot, Y, c.choices, c.randomness));
    // A Python-made ballot is accepted as is; a bumped proof scalar is not.
    const python = JSON.parse(c.submission).ballot;
    assert.equal(hex(booth.checkBallot(python, fp, Y, c.leaders)), c.ballot_hash);
    const last = python.answers[0].choices[0].proof[3];
    python.answers[0].choices[0].proof[3] = (last[0] === '0' ? '1' : '0') + last.slice(1);
    assert.throws(() => booth.checkBallot(python, fp, Y, c.leaders), booth.BoothError);
  }
});

test('key ceremony: fingerprint and short fingerprint', () => {
  const v = load('ceremony.json');
  assert.equal(hex(booth.manifestHash(v.manifest)), v.manifest_hash);
  const commitments = v.trustees.map((t) => t.commitments);
  const fp = booth.fingerprint(v.manifest_hash, commitments, v.election_key, v.verification_keys);
  assert.equal(hex(fp), v.fingerprint);
  assert.equal(booth.shortFingerprint(fp), v.short_fingerprint);
});

test('threshold decryption: every partial decryption proof verifies', () => {
  const v = load('decryption.json');
  const fp = booth.hexToBytes(v.fingerprint);
  for (const [j, rows] of Object.entries(v.partials)) {
    const V = booth.pointHex(v.verification_keys[Number(j) - 1]);
    rows.forEach((row, leader) => {
      row.forEach((share, level) => {
        const agg = v.aggregate[leader][level];
        const ct = { a: booth.pointHex(agg.a), b: booth.pointHex(agg.b) };
        const proof = share.proof.map(booth.scalarHex);
        const D = booth.pointHex(share.d);
        const where = `${j}/${leader}/${level}`;
        assert.ok(booth.verifyDecryption(fp, Number(j), leader, level, ct, V, D, proof), where);
        const bumped = [proof[0], (proof[1] + 1n) % booth.L];
        assert.equal(booth.verifyDecryption(fp, Number(j), leader, level, ct, V, D, bumped), false);
      });
    });
  }
});

test('results arithmetic: bands and display strings', () => {
  const v = load('results.json');
  for (const c of v.bands) assert.equal(booth.band(c.returned, c.low), c.band, `${c.low}/${c.returned}`);
  for (const c of v.display) assert.equal(booth.displayPercent(c.count, c.returned), c.text);
});

test('mode B: the wrapped account key opens in the booth exactly as ledger/keywrap.py', async () => {
  const v = load('keywrap.json');
  assert.equal(keys.AAD_PREFIX, v.aad_prefix);
  assert.deepEqual([keys.MAX_T, keys.MAX_M, keys.MAX_P], [v.caps.max_t, v.caps.max_m, v.caps.max_p]);
  assert.ok(v.cases.some((c) => c.wrapped.m === 65536 && c.wrapped.t === 3 && c.wrapped.p === 4));
  for (const c of v.cases) {
    const seed = await keys.unwrapSeed(c.wrapped, c.password, c.user_id, c.key_id);
    assert.equal(hex(seed), c.seed, c.label);
    const opened = await keys.openAccountKey(
      { wrapped: c.wrapped, user_id: c.user_id, key_id: c.key_id, account_pub: c.public_key },
      c.password,
    );
    assert.equal(hex(opened.publicKey), c.public_key, c.label);
  }
  // The record of another key (right password) is refused by the public-key check.
  const [first, second] = v.cases;
  await assert.rejects(
    keys.openAccountKey(
      { wrapped: second.wrapped, user_id: second.user_id, key_id: second.key_id, account_pub: first.public_key },
      second.password,
    ),
    keys.KeyUnwrapError,
  );
});

test('mode B: every invalid wrapped record is refused, before any large Argon2 run', async () => {
  const v = load('keywrap.json');
  for (const c of v.invalid) {
    await assert.rejects(
      keys.unwrapSeed(c.wrapped, c.password, c.user_id, c.key_id),
      keys.KeyUnwrapError,
      c.reason,
    );
  }
});
