//! `protocol._native`: the edge uploader's hot path, with the exact rules of the Python reference.
//!
//! * Merkle hashing of `protocol/merkle.py`: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 ||
//!   left || right); an odd last node of a level is promoted unchanged.
//! * Ed25519 verification of `protocol/ed25519.py` (libsodium's `crypto_sign_verify_detached`):
//!   64-byte signature with canonical S, a canonical 32-byte public key of a point that is not of
//!   small order, R not of small order, and the cofactorless equation compared on R's encoding.
//!   That is ed25519-dalek's `verify_strict` plus libsodium's canonical-encoding check of the key.
//!   Batch verification is not used: its cofactored equation accepts a different set.
//!
//! Long loops release the GIL and split their work over the available cores.

use ed25519_dalek::{Signature, VerifyingKey};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sha2::{Digest, Sha256};
use std::thread;

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

fn parse_key(bytes: &[u8]) -> Option<VerifyingKey> {
    let raw: &[u8; 32] = bytes.try_into().ok()?;
    if !canonical_point(raw) {
        return None;
    }
    VerifyingKey::from_bytes(raw).ok()
}

struct Check<'a> {
    key: usize,
    signature: &'a [u8],
    message: &'a [u8],
}

fn check(keys: &[Option<VerifyingKey>], item: &Check) -> bool {
    let (Some(key), Ok(raw)) = (&keys[item.key], <&[u8; 64]>::try_from(item.signature)) else {
        return false;
    };
    key.verify_strict(item.message, &Signature::from_bytes(raw)).is_ok()
}

/// Whether each `signatures[i]` is a valid signature of `messages[i]` by `public_keys[i]`.
/// Runs of the same public key are parsed once.
#[pyfunction]
fn verify_many(py: Python<'_>, public_keys: Vec<Bound<'_, PyBytes>>, signatures: Vec<Bound<'_, PyBytes>>,
               messages: Vec<Bound<'_, PyBytes>>) -> PyResult<Vec<bool>> {
    if public_keys.len() != signatures.len() || signatures.len() != messages.len() {
        return Err(PyValueError::new_err("verify_many needs as many public keys, signatures and messages"));
    }
    let mut keys: Vec<Option<VerifyingKey>> = Vec::new();
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
                s.spawn(move || part.iter().zip(out.iter_mut()).for_each(|(c, r)| *r = check(keys, c)));
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
    Ok(())
}
