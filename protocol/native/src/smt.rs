//! The state tree's block update, node for node as `abci_app/smt.py` (`_Builder.update`) makes it.
//!
//! Rules (`protocol/smt.py`): leaf = SHA-256(0x00 || path || commit), node = SHA-256(0x01 || left ||
//! right), a subtree holding one leaf is that leaf, an empty subtree is 32 zero bytes. Stored forms
//! (`abci_app/smt.py`): a ref is `kind (1)` and, unless empty, `hash (32) | id length (1) | id`; an
//! internal node's body is its two refs; a leaf's body is `commit (32) | key length (2) | key | value`;
//! ids are `version (8) | "I" | depth (2) | the top depth bits of the path (an integer, ceil(depth/8)
//! bytes)` and `version (8) | "L" | path (32)`.
//!
//! The walk, the nodes it makes and the order of the replaced ids are those of the Python builder;
//! tests compare the two on the same changes. Child refs are read from the node cache (a dict of id →
//! body) and, on a miss, from the loader the caller passes (which reads SQLite and fills the cache).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use sha2::{Digest, Sha256};

const EMPTY_KIND: u8 = 0;
const LEAF_KIND: u8 = 1;
const INTERNAL_KIND: u8 = 2;
const HASH: usize = 32;
const LEAF_ID: usize = 8 + 1 + HASH;

#[derive(Clone)]
struct Ref {
    kind: u8,
    hash: [u8; HASH],
    id: Vec<u8>,
}

impl Ref {
    fn empty() -> Ref {
        Ref { kind: EMPTY_KIND, hash: [0; HASH], id: Vec::new() }
    }
}

struct Change {
    path: [u8; HASH],
    commitment: Option<[u8; HASH]>,
    key: Vec<u8>,
    value: Vec<u8>,
}

fn bit(path: &[u8; HASH], depth: usize) -> bool {
    (path[depth >> 3] >> (7 - (depth & 7))) & 1 == 1
}

fn encode_ref(out: &mut Vec<u8>, r: &Ref) {
    out.push(r.kind);
    if r.kind != EMPTY_KIND {
        out.extend_from_slice(&r.hash);
        out.push(r.id.len() as u8);
        out.extend_from_slice(&r.id);
    }
}

fn decode_ref(body: &[u8], pos: usize) -> Option<(Ref, usize)> {
    let kind = *body.get(pos)?;
    match kind {
        EMPTY_KIND => Some((Ref::empty(), pos + 1)),
        LEAF_KIND | INTERNAL_KIND => {
            let hash: [u8; HASH] = body.get(pos + 1..pos + 1 + HASH)?.try_into().ok()?;
            let length = *body.get(pos + 1 + HASH)? as usize;
            let start = pos + 2 + HASH;
            let id = body.get(start..start + length)?.to_vec();
            Some((Ref { kind, hash, id }, start + length))
        }
        _ => None,
    }
}

fn path_of_leaf_id(id: &[u8]) -> Option<[u8; HASH]> {
    if id.len() != LEAF_ID {
        return None;
    }
    id[9..].try_into().ok()
}

struct Builder<'a, 'py> {
    py: Python<'py>,
    tag: [u8; 8],
    cache: &'a Bound<'py, PyDict>,
    load: &'a Bound<'py, PyAny>,
    nodes: Vec<(Vec<u8>, Vec<u8>)>,
    stale: Vec<Vec<u8>>,
}

impl<'a, 'py> Builder<'a, 'py> {
    fn children(&self, id: &[u8]) -> PyResult<(Ref, Ref)> {
        let key = PyBytes::new(self.py, id);
        let body = match self.cache.get_item(&key)? {
            Some(body) => body,
            None => self.load.call1((key,))?,
        };
        let body = body.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("a state tree node body is bytes"))?;
        let body = body.as_bytes();
        let bad = || PyValueError::new_err(format!("state tree node {} has a malformed body", hex(id)));
        let (left, pos) = decode_ref(body, 0).ok_or_else(bad)?;
        let (right, end) = decode_ref(body, pos).ok_or_else(bad)?;
        if end != body.len() {
            return Err(bad());
        }
        Ok((left, right))
    }

    fn leaf(&mut self, change: &Change, commitment: &[u8; HASH]) -> Ref {
        let mut id = Vec::with_capacity(LEAF_ID);
        id.extend_from_slice(&self.tag);
        id.push(b'L');
        id.extend_from_slice(&change.path);
        let mut body = Vec::with_capacity(HASH + 2 + change.key.len() + change.value.len());
        body.extend_from_slice(commitment);
        body.extend_from_slice(&(change.key.len() as u16).to_be_bytes());
        body.extend_from_slice(&change.key);
        body.extend_from_slice(&change.value);
        let hash: [u8; HASH] = Sha256::new().chain_update([0u8]).chain_update(change.path).chain_update(commitment).finalize().into();
        self.nodes.push((id.clone(), body));
        Ref { kind: LEAF_KIND, hash, id }
    }

    fn join(&mut self, left: Ref, right: Ref, depth: usize, path: &[u8; HASH]) -> Ref {
        if left.kind == EMPTY_KIND {
            if right.kind != INTERNAL_KIND {
                return right; // empty, or a lone leaf that rises to this depth
            }
        } else if right.kind == EMPTY_KIND && left.kind == LEAF_KIND {
            return left;
        }
        // the integer of the path's top `depth` bits, big-endian in ceil(depth / 8) bytes
        let width = depth.div_ceil(8);
        let drop = width * 8 - depth;
        let mut id = Vec::with_capacity(11 + width);
        id.extend_from_slice(&self.tag);
        id.push(b'I');
        id.extend_from_slice(&(depth as u16).to_be_bytes());
        for i in 0..width {
            let low = path[i] >> drop;
            let high = if i > 0 && drop > 0 { path[i - 1] << (8 - drop) } else { 0 };
            id.push(low | high);
        }
        let mut body = Vec::with_capacity(2 * (2 + HASH + LEAF_ID));
        encode_ref(&mut body, &left);
        encode_ref(&mut body, &right);
        let hash: [u8; HASH] = Sha256::new().chain_update([1u8]).chain_update(left.hash).chain_update(right.hash).finalize().into();
        self.nodes.push((id.clone(), body));
        Ref { kind: INTERNAL_KIND, hash, id }
    }

    /// The subtree at `depth` holding `leaves` (sorted by path).
    fn build(&mut self, leaves: &[([u8; HASH], Ref)], depth: usize) -> Ref {
        match leaves.len() {
            0 => return Ref::empty(),
            1 => return leaves[0].1.clone(),
            _ => {}
        }
        let mid = leaves.partition_point(|(p, _)| !bit(p, depth));
        let left = self.build(&leaves[..mid], depth + 1);
        let right = self.build(&leaves[mid..], depth + 1);
        self.join(left, right, depth, &leaves[0].0)
    }

    /// `r`'s subtree after `changes` (sorted by path, all under `r`'s prefix).
    fn update(&mut self, r: Ref, depth: usize, changes: &[Change]) -> PyResult<Ref> {
        if changes.is_empty() {
            return Ok(r);
        }
        if depth >= 8 * HASH {
            return Err(PyValueError::new_err("two state keys share a 256-bit path"));
        }
        if r.kind == INTERNAL_KIND {
            self.stale.push(r.id.clone());
            let (left, right) = self.children(&r.id)?;
            let mid = changes.partition_point(|c| !bit(&c.path, depth));
            let new_left = if mid > 0 { self.update(left, depth + 1, &changes[..mid])? } else { left };
            let new_right = if mid < changes.len() { self.update(right, depth + 1, &changes[mid..])? } else { right };
            return Ok(self.join(new_left, new_right, depth, &changes[0].path));
        }
        // an empty subtree or a lone leaf: lay out the leaves that end up here
        let mut leaves: Vec<([u8; HASH], Ref)> = Vec::with_capacity(changes.len() + 1);
        let mut kept = if r.kind == LEAF_KIND {
            let path = path_of_leaf_id(&r.id).ok_or_else(|| PyValueError::new_err("a state tree leaf id is 41 bytes"))?;
            Some((path, r))
        } else {
            None
        };
        for change in changes {
            if let Some((kept_path, _)) = &kept {
                if *kept_path <= change.path {
                    let (kept_path, kept_ref) = kept.take().unwrap();
                    if kept_path == change.path {
                        self.stale.push(kept_ref.id);
                    } else {
                        leaves.push((kept_path, kept_ref));
                    }
                }
            }
            if let Some(commitment) = &change.commitment {
                let leaf = self.leaf(change, commitment);
                leaves.push((change.path, leaf));
            }
        }
        if let Some(k) = kept {
            leaves.push(k);
        }
        Ok(self.build(&leaves, depth))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn fixed(item: &Bound<'_, PyAny>, what: &str) -> PyResult<[u8; HASH]> {
    let b = item.cast::<PyBytes>().map_err(|_| PyTypeError::new_err(format!("{what} is bytes")))?;
    b.as_bytes().try_into().map_err(|_| PyValueError::new_err(format!("{what} is 32 bytes")))
}

fn ref_from_py(r: &Bound<'_, PyAny>) -> PyResult<Ref> {
    let t = r.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a tree ref is a (kind, hash, id) tuple"))?;
    if t.len() != 3 {
        return Err(PyTypeError::new_err("a tree ref is a (kind, hash, id) tuple"));
    }
    let kind: u8 = t.get_item(0)?.extract()?;
    if kind == EMPTY_KIND {
        return Ok(Ref::empty());
    }
    if kind != LEAF_KIND && kind != INTERNAL_KIND {
        return Err(PyValueError::new_err(format!("unknown tree ref kind {kind}")));
    }
    let hash = fixed(&t.get_item(1)?, "a ref's hash")?;
    let id = t.get_item(2)?.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("a ref's id is bytes"))?.as_bytes().to_vec();
    Ok(Ref { kind, hash, id })
}

/// One version's tree change: `changes` are `(path int, path, commit or None, key bytes, value or None)`
/// sorted by path (None deletes). Returns `(root ref, new nodes as (id, body) sorted by id, the internal
/// ones among them, replaced ids in the order the walk met them)`.
#[pyfunction]
pub fn smt_update<'py>(
    py: Python<'py>,
    version: u64,
    root: &Bound<'py, PyAny>,
    changes: &Bound<'py, PyList>,
    cache: &Bound<'py, PyDict>,
    load: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut rows = Vec::with_capacity(changes.len());
    for item in changes.iter() {
        let t = item.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a tree change is a tuple"))?;
        if t.len() != 5 {
            return Err(PyTypeError::new_err("a tree change is (path int, path, commit, key, value)"));
        }
        let path = fixed(&t.get_item(1)?, "a key path")?;
        let commitment = t.get_item(2)?;
        let commitment = if commitment.is_none() { None } else { Some(fixed(&commitment, "a commitment")?) };
        let key = t.get_item(3)?.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("a key is bytes"))?.as_bytes().to_vec();
        if key.len() > u16::MAX as usize {
            return Err(PyValueError::new_err("a state key is at most 65,535 bytes"));
        }
        let value = t.get_item(4)?;
        let value = if value.is_none() {
            Vec::new()
        } else {
            value.cast::<PyBytes>().map_err(|_| PyTypeError::new_err("a value is bytes"))?.as_bytes().to_vec()
        };
        rows.push(Change { path, commitment, key, value });
    }
    if rows.windows(2).any(|w| w[0].path >= w[1].path) {
        return Err(PyValueError::new_err("tree changes are sorted by path, each path once"));
    }
    let mut builder = Builder { py, tag: version.to_be_bytes(), cache, load, nodes: Vec::new(), stale: Vec::new() };
    let new_root = builder.update(ref_from_py(root)?, 0, &rows)?;
    let Builder { mut nodes, stale, .. } = builder;
    nodes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let all = PyList::empty(py);
    let internal = PyList::empty(py);
    for (id, body) in &nodes {
        let row = PyTuple::new(py, [PyBytes::new(py, id), PyBytes::new(py, body)])?;
        if id[8] == b'I' {
            internal.append(&row)?;
        }
        all.append(row)?;
    }
    let stale = PyList::new(py, stale.iter().map(|id| PyBytes::new(py, id)))?;
    let root_tuple = PyTuple::new(py, [
        new_root.kind.into_pyobject(py)?.into_any(),
        PyBytes::new(py, &new_root.hash).into_any(),
        PyBytes::new(py, &new_root.id).into_any(),
    ])?;
    PyTuple::new(py, [root_tuple.into_any(), all.into_any(), internal.into_any(), stale.into_any()])
}
