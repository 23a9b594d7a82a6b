//! `protocol._native`: the edge uploader's hot path and the state tree's block update (`smt.rs`), with the
//! exact rules of the Python reference.
//!
//! * Merkle hashing of `protocol/merkle.py`: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 ||
//!   left || right); an odd last node of a level is promoted unchanged.
//! * Ed25519 verification of `protocol/ed25519.py` (libsodium's `crypto_sign_verify_detached`):
//!   64-byte signature with canonical S, a canonical 32-byte public key of a point that is not of
//!   small order, R not of small order, and the cofactorless equation compared on R's encoding.
//!   That is ed25519-dalek's `verify_strict` plus libsodium's canonical-encoding check of the key.
//!
//! Batches accept exactly what that single check accepts. A run of signatures by one key whose
//! point is in the prime-order subgroup is checked with one random linear combination of the
//! equations, `[sum z_i s_i]B - [sum z_i k_i]A - sum [z_i]R_i = 0`, after each R passed what the
//! single check asks of it and more: a canonical encoding, not of small order, and in the
//! prime-order subgroup. With A and every R in that subgroup, each equation's difference is in it
//! too, so the sum vanishes for a bad one only if its 128-bit z_i is one value in 2^128; and a
//! single check accepts only such an R (it recomputes R from B and A). Without the subgroup test
//! a key holder's R = [r]B + T (T of small order, S answering R's challenge) would pass the sum for
//! a large share of weights (all of them when T has order 2): the reason plain batch verification,
//! dalek's `verify_batch`, accepts another set. The weights come from SHA-512 over the whole batch,
//! so a verdict is the same on every run. A batch that fails, a key outside the subgroup and short
//! runs are checked one signature at a time with `verify_strict`.
//!
//! Long loops release the GIL and split their work over the available cores.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::{Signature, VerifyingKey};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sha2::{Digest, Sha256, Sha512};
use std::thread;

mod smt;

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;
const HASH: usize = 32;
/// Below this many items a loop runs on the calling thread: spawning costs more than it saves.
const PARALLEL_FROM: usize = 256;

fn workers(items: usize) -> usize {
    let cores = thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if items < PARALLEL_FROM { 1 } else { cores.min(items / (PARALLEL_FROM / 2)).max(1) }
}

/// libsodium's `ge25519_is_canonical`: the y coordinate (sign bit aside) is below p = 2^255 - 19.
fn canonical_point(b: &[u8; 32]) -> bool {
    let top = (b[31] & 0x7f) == 0x7f && b[1..31].iter().all(|&x| x == 0xff);
    !(top && b[0] >= 0xed)
}

/// Signatures checked in one linear combination: large enough that the multi-scalar sum costs
/// little per signature, small enough that a batch with a bad signature costs little to redo.
const BATCH: usize = 128;
/// Below this many signatures of one key in a row, each is checked on its own.
const BATCH_FROM: usize = 8;
const BATCH_DOMAIN: &[u8] = b"ETS-ED25519-BATCH-V1";

/// A public key as libsodium accepts it, with what the batch equation needs.
struct Key {
    bytes: [u8; 32],
    strict: VerifyingKey,
    point: EdwardsPoint,
    /// The point is in the prime-order subgroup (honest keys are): its runs may be batched.
    batchable: bool,
}

fn parse_key(bytes: &[u8]) -> Option<Key> {
    let raw: &[u8; 32] = bytes.try_into().ok()?;
    if !canonical_point(raw) {
        return None;
    }
    let strict = VerifyingKey::from_bytes(raw).ok()?;
    let point = CompressedEdwardsY(*raw).decompress()?;
    Some(Key { bytes: *raw, strict, point, batchable: point.is_torsion_free() })
}

struct Check<'a> {
    key: usize,
    signature: &'a [u8],
    message: &'a [u8],
}

/// The single strict check (the rule itself).
fn check(key: &Key, item: &Check) -> bool {
    let Ok(raw) = <&[u8; 64]>::try_from(item.signature) else {
        return false;
    };
    key.strict.verify_strict(item.message, &Signature::from_bytes(raw)).is_ok()
}

/// One signature made ready for the batch equation.
struct Term {
    r_bytes: [u8; 32],
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

enum Prepared {
    /// The single check refuses it too (bad length, S not canonical, R not canonical, not a
    /// point, of small order or outside the prime-order subgroup).
    Refused,
    Term(Term),
}

/// R is in the prime-order subgroup (a canonical encoding of a point, already checked).
fn in_prime_subgroup(r_bytes: &[u8; 32]) -> bool {
    crrl::ed25519::Point::decode(r_bytes).is_some_and(|p| p.is_in_subgroup() == 0xFFFF_FFFF)
}

fn prepare(key: &Key, item: &Check) -> Prepared {
    let Ok(raw) = <&[u8; 64]>::try_from(item.signature) else {
        return Prepared::Refused;
    };
    let r_bytes: [u8; 32] = raw[..32].try_into().expect("32 bytes");
    let s_bytes: [u8; 32] = raw[32..].try_into().expect("32 bytes");
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
        return Prepared::Refused;
    };
    if !canonical_point(&r_bytes) {
        return Prepared::Refused;
    }
    let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
        return Prepared::Refused;
    };
    if r.is_small_order() || !in_prime_subgroup(&r_bytes) {
        return Prepared::Refused;
    }
    let k = Scalar::from_hash(Sha512::new().chain_update(r_bytes).chain_update(key.bytes).chain_update(item.message));
    Prepared::Term(Term { r_bytes, r, s, k })
}

/// The 128-bit weights: SHA-512 of everything in the batch, then of that and a counter. Odd, so never 0.
fn weights(key: &Key, terms: &[&Term]) -> Vec<Scalar> {
    let mut transcript = Sha512::new().chain_update(BATCH_DOMAIN).chain_update(key.bytes);
    for t in terms {
        transcript.update(t.r_bytes);
        transcript.update(t.s.as_bytes());
        transcript.update(t.k.as_bytes());
    }
    let seed = transcript.finalize();
    let mut out = Vec::with_capacity(terms.len());
    for block in 0..terms.len().div_ceil(4) as u64 {
        let wide = Sha512::new().chain_update(seed).chain_update(block.to_le_bytes()).finalize();
        for z in wide.chunks_exact(16).take(terms.len() - out.len()) {
            out.push(Scalar::from(u128::from_le_bytes(z.try_into().expect("16 bytes")) | 1));
        }
    }
    out
}

/// Whether `[sum z_i s_i]B - [sum z_i k_i]A - sum [z_i]R_i` is the identity.
fn batch_holds(key: &Key, terms: &[&Term]) -> bool {
    let z = weights(key, terms);
    let s: Scalar = terms.iter().zip(&z).map(|(t, z)| z * t.s).sum();
    let k: Scalar = terms.iter().zip(&z).map(|(t, z)| z * t.k).sum();
    let scalars = [s, -k].into_iter().chain(z.iter().map(|z| -z));
    let points = [ED25519_BASEPOINT_POINT, key.point].into_iter().chain(terms.iter().map(|t| t.r));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// Verdicts for consecutive checks of one key.
fn judge_run(key: &Key, run: &[Check], out: &mut [bool]) {
    if !key.batchable || run.len() < BATCH_FROM {
        run.iter().zip(out.iter_mut()).for_each(|(c, r)| *r = check(key, c));
        return;
    }
    for (part, out) in run.chunks(BATCH).zip(out.chunks_mut(BATCH)) {
        let prepared: Vec<Prepared> = part.iter().map(|c| prepare(key, c)).collect();
        let terms: Vec<&Term> = prepared.iter().filter_map(|p| match p { Prepared::Term(t) => Some(t), Prepared::Refused => None }).collect();
        let holds = !terms.is_empty() && batch_holds(key, &terms);
        for ((c, p), r) in part.iter().zip(&prepared).zip(out.iter_mut()) {
            *r = match p {
                Prepared::Refused => false,
                Prepared::Term(_) => holds || check(key, c),
            };
        }
    }
}

/// Verdicts for a slice of checks: runs of one key each go to `judge_run`.
fn judge(keys: &[Option<Key>], checks: &[Check], out: &mut [bool]) {
    let mut at = 0;
    while at < checks.len() {
        let key = checks[at].key;
        let end = at + checks[at..].iter().take_while(|c| c.key == key).count();
        match &keys[key] {
            Some(k) => judge_run(k, &checks[at..end], &mut out[at..end]),
            None => out[at..end].iter_mut().for_each(|r| *r = false),
        }
        at = end;
    }
}

/// Whether each `signatures[i]` is a valid signature of `messages[i]` by `public_keys[i]`.
/// Runs of the same public key are parsed once and checked in batches.
#[pyfunction]
fn verify_many(py: Python<'_>, public_keys: Vec<Bound<'_, PyBytes>>, signatures: Vec<Bound<'_, PyBytes>>,
               messages: Vec<Bound<'_, PyBytes>>) -> PyResult<Vec<bool>> {
    if public_keys.len() != signatures.len() || signatures.len() != messages.len() {
        return Err(PyValueError::new_err("verify_many needs as many public keys, signatures and messages"));
    }
    let mut keys: Vec<Option<Key>> = Vec::new();
    let mut checks = Vec::with_capacity(signatures.len());
    let mut last: Option<&[u8]> = None;
    for ((pk, sig), msg) in public_keys.iter().zip(&signatures).zip(&messages) {
        let pk = pk.as_bytes();
        if last != Some(pk) {
            keys.push(parse_key(pk));
            last = Some(pk);
        }
        checks.push(Check { key: keys.len() - 1, signature: sig.as_bytes(), message: msg.as_bytes() });
    }
    let mut results = vec![false; checks.len()];
    let chunk = checks.len().div_ceil(workers(checks.len())).max(1);
    py.detach(|| {
        thread::scope(|s| {
            for (part, out) in checks.chunks(chunk).zip(results.chunks_mut(chunk)) {
                let keys = &keys;
                s.spawn(move || judge(keys, part, out));
            }
        })
    });
    Ok(results)
}

fn hash_into(out: &mut [u8], prefix: u8, data: &[u8]) {
    out.copy_from_slice(&Sha256::new().chain_update([prefix]).chain_update(data).finalize());
}

/// The leaf hashes of an iterable of byte strings, concatenated (32 bytes each, in order).
#[pyfunction]
fn leaf_hashes<'py>(py: Python<'py>, leaves: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let mut out: Vec<u8> = Vec::new();
    for item in leaves.try_iter()? {
        let item = item?;
        let data = item.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("every Merkle leaf is a bytes object"))?;
        let at = out.len();
        out.resize(at + HASH, 0);
        hash_into(&mut out[at..], LEAF_PREFIX, data.as_bytes());
    }
    Ok(PyBytes::new(py, &out))
}

fn next_level(level: &[u8]) -> Vec<u8> {
    let count = level.len() / HASH;
    let pairs = count / 2;
    let mut out = vec![0u8; count.div_ceil(2) * HASH];
    let (hashed, promoted) = out.split_at_mut(pairs * HASH);
    let chunk = pairs.div_ceil(workers(pairs)).max(1);
    thread::scope(|s| {
        for (part, dst) in level[..pairs * 2 * HASH].chunks(chunk * 2 * HASH).zip(hashed.chunks_mut(chunk * HASH)) {
            s.spawn(move || {
                for (pair, node) in part.chunks(2 * HASH).zip(dst.chunks_mut(HASH)) {
                    hash_into(node, NODE_PREFIX, pair);
                }
            });
        }
    });
    promoted.copy_from_slice(&level[pairs * 2 * HASH..]);
    out
}

fn check_level(level: &[u8]) -> PyResult<()> {
    if level.is_empty() {
        return Err(PyValueError::new_err("a Merkle tree needs at least one leaf"));
    }
    if level.len() % HASH != 0 {
        return Err(PyValueError::new_err("leaf hashes are 32 bytes each"));
    }
    Ok(())
}

/// Every level above the leaves (concatenated leaf hashes), bottom up; the last is the root.
#[pyfunction]
fn tree_levels<'py>(py: Python<'py>, level0: &[u8]) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    check_level(level0)?;
    let levels = py.detach(|| {
        let mut levels: Vec<Vec<u8>> = Vec::new();
        while levels.last().map_or(level0.len(), |l| l.len()) > HASH {
            let next = next_level(levels.last().map_or(level0, |l| l.as_slice()));
            levels.push(next);
        }
        levels
    });
    Ok(levels.iter().map(|l| PyBytes::new(py, l)).collect())
}

/// The root over concatenated leaf hashes, keeping only the current level.
#[pyfunction]
fn root<'py>(py: Python<'py>, level0: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    check_level(level0)?;
    let top = py.detach(|| {
        let mut level = if level0.len() > HASH { next_level(level0) } else { level0.to_vec() };
        while level.len() > HASH {
            level = next_level(&level);
        }
        level
    });
    Ok(PyBytes::new(py, &top))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_many, m)?)?;
    m.add_function(wrap_pyfunction!(leaf_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(tree_levels, m)?)?;
    m.add_function(wrap_pyfunction!(root, m)?)?;
    m.add_function(wrap_pyfunction!(smt::smt_update, m)?)?;
    Ok(())
}
