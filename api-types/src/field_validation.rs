//! Strict field validation (`fieldValidation=Strict|Warn`): unknown fields
//! found by walking an object against its OpenAPI schema, and duplicate
//! keys found by scanning the raw JSON bytes (the parsed `Value` has lost
//! them).
//!
//! The walk follows `$ref`, `allOf`, `items` and `additionalProperties`;
//! `x-kubernetes-preserve-unknown-fields: true` and objects whose schema
//! declares neither `properties` nor `additionalProperties` (such as
//! `RawExtension`) accept anything. Objects marked
//! `x-kubernetes-embedded-resource` also accept `apiVersion`, `kind` and
//! `metadata`. A `$ref`/`allOf` chain that loops back on itself (or is
//! longer than 64 hops) accepts anything. Messages read like
//! kube-apiserver's:
//! `unknown field "spec.template.spec.containers[0].imagePullPolcy"`,
//! `duplicate field "spec.replicas"`. The same walk will serve custom
//! resources' schemas.
//!
//! Two ways to run the walk: [`unknown_fields`] interprets the document
//! directly (fine for a one-off check), while [`CompiledSchema`] resolves
//! every `$ref` and `allOf` once into a graph of nodes with sorted property
//! tables; a server compiles each kind's schema once and reuses it for
//! every request. [`duplicate_fields`] does not allocate unless it finds a
//! duplicate (or a key with escapes).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::openapi::SCHEMA_REF_PREFIX;

/// How many `$ref`/`allOf` hops one schema may take before we give up (a
/// guard against reference cycles that do not advance in the object).
const MAX_RESOLVE_DEPTH: usize = 64;

/// The `components.schemas` map of a document, or the map itself when
/// given the schemas directly.
fn schemas_of(doc: &Value) -> Option<&Map<String, Value>> {
    if let Some(s) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        return Some(s);
    }
    if let Some(s) = doc.get("schemas").and_then(Value::as_object) {
        return Some(s);
    }
    doc.as_object()
}

/// The schema facets that matter for the walk, merged across `$ref` and
/// `allOf`.
#[derive(Default)]
struct View<'a> {
    properties: Vec<&'a Map<String, Value>>,
    additional: Option<&'a Value>,
    items: Option<&'a Value>,
    preserve_unknown: bool,
    embedded_resource: bool,
}

/// Merge `schema` (and what it references) into `view`. `stack` holds the
/// schemas being merged above this one: meeting one of them again is a
/// cycle that would only end at [`MAX_RESOLVE_DEPTH`], with the same
/// outcome (accept anything), so it ends at once.
fn collect<'a>(
    schemas: &'a Map<String, Value>,
    schema: &'a Value,
    view: &mut View<'a>,
    stack: &mut Vec<*const Value>,
) {
    let here: *const Value = schema;
    if stack.len() > MAX_RESOLVE_DEPTH || stack.contains(&here) {
        view.preserve_unknown = true;
        return;
    }
    let Some(s) = schema.as_object() else {
        // `true` schemas accept anything.
        if schema.as_bool() == Some(true) {
            view.preserve_unknown = true;
        }
        return;
    };
    stack.push(here);
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        match r
            .strip_prefix(SCHEMA_REF_PREFIX)
            .or_else(|| r.strip_prefix("#/definitions/"))
            .and_then(|name| schemas.get(name))
        {
            Some(target) => collect(schemas, target, view, stack),
            None => view.preserve_unknown = true,
        }
    }
    for sub in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(schemas, sub, view, stack);
    }
    stack.pop();
    if s.get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true)
    {
        view.preserve_unknown = true;
    }
    if s.get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
    {
        view.embedded_resource = true;
    }
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        view.properties.push(p);
    }
    if let Some(a) = s.get("additionalProperties") {
        view.additional.get_or_insert(a);
    }
    if let Some(i) = s.get("items") {
        view.items.get_or_insert(i);
    }
}

/// The merged view of `schema`; `stack` is scratch space, reused so the
/// walk does not allocate one per node.
fn view_of<'a>(
    schemas: &'a Map<String, Value>,
    schema: &'a Value,
    stack: &mut Vec<*const Value>,
) -> View<'a> {
    let mut view = View::default();
    stack.clear();
    collect(schemas, schema, &mut view, stack);
    view
}

/// One step of the path being walked; text is built only for errors.
#[derive(Clone, Debug)]
enum Seg<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

fn render(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn unknown(path: &[Seg<'_>], key: &str, out: &mut Vec<String>) {
    let mut p = render(path);
    if !p.is_empty() {
        p.push('.');
    }
    p.push_str(key);
    out.push(format!("unknown field \"{p}\""));
}

fn walk<'v>(
    schemas: &Map<String, Value>,
    schema: &Value,
    value: &'v Value,
    path: &mut Vec<Seg<'v>>,
    stack: &mut Vec<*const Value>,
    out: &mut Vec<String>,
) {
    let view = view_of(schemas, schema, stack);
    if view.preserve_unknown {
        return;
    }
    match value {
        Value::Object(map) => {
            if view.properties.is_empty() && view.additional.is_none() {
                return;
            }
            for (k, v) in map {
                let next = if let Some(prop) = view.properties.iter().find_map(|props| props.get(k))
                {
                    Some(prop)
                } else if view.embedded_resource && is_embedded_key(k) {
                    None
                } else {
                    match view.additional {
                        Some(Value::Bool(true)) => None,
                        Some(Value::Bool(false)) | None => {
                            unknown(path, k, out);
                            None
                        }
                        Some(add) => Some(add),
                    }
                };
                if let Some(next) = next
                    && !v.is_null()
                {
                    path.push(Seg::Key(Cow::Borrowed(k)));
                    walk(schemas, next, v, path, stack, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = view.items {
                for (i, v) in items.iter().enumerate() {
                    if !v.is_null() {
                        path.push(Seg::Index(i));
                        walk(schemas, item_schema, v, path, stack, out);
                        path.pop();
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_embedded_key(k: &str) -> bool {
    matches!(k, "apiVersion" | "kind" | "metadata")
}

/// Fields of `obj` its schema does not declare, as Kubernetes words them
/// (`unknown field "spec.bogusField"`), in key order within each object. `doc_or_components`
/// is an OpenAPI document, its `components`, or the schemas map; an unknown
/// `schema_name` yields nothing.
///
/// This interprets the document on every call; to check many objects
/// against one schema, [`CompiledSchema::compile`] it once instead.
pub fn unknown_fields(doc_or_components: &Value, schema_name: &str, obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(schemas) = schemas_of(doc_or_components) else {
        return out;
    };
    let Some(root) = schemas.get(schema_name) else {
        return out;
    };
    walk(
        schemas,
        root,
        obj,
        &mut Vec::new(),
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// Index of a node in a [`CompiledSchema`].
type NodeId = u32;

/// What an object node does with keys it has no property for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Additional {
    /// No `additionalProperties`: such keys are unknown.
    Absent,
    /// `additionalProperties: true`: any key, value unchecked.
    Allow,
    /// `additionalProperties: false`: such keys are unknown.
    Deny,
    /// `additionalProperties: <schema>`: any key, value checked.
    Schema(NodeId),
}

/// The order of property tables: most names differ in length, which is
/// cheaper to compare than their bytes.
fn by_len_then_bytes(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// One schema with its `$ref`s and `allOf`s merged in.
#[derive(Clone, Debug)]
struct Node {
    /// `x-kubernetes-preserve-unknown-fields`, a `true` schema, a dangling
    /// or looping reference: nothing below is checked.
    accept_all: bool,
    /// Neither `properties` nor `additionalProperties`: objects accept
    /// any key.
    open_object: bool,
    embedded_resource: bool,
    /// Declared properties, sorted by [`by_len_then_bytes`]; the first declaration wins
    /// when merged schemas repeat a name.
    properties: Vec<(Box<str>, NodeId)>,
    additional: Additional,
    items: Option<NodeId>,
}

impl Node {
    const PLACEHOLDER: Node = Node {
        accept_all: true,
        open_object: true,
        embedded_resource: false,
        properties: Vec::new(),
        additional: Additional::Absent,
        items: None,
    };

    fn property(&self, key: &str) -> Option<NodeId> {
        self.properties
            .binary_search_by(|(k, _)| by_len_then_bytes(k, key))
            .ok()
            .map(|i| self.properties[i].1)
    }
}

/// One schema of an OpenAPI document compiled for the unknown-field walk:
/// `$ref` and `allOf` resolved once, every reachable sub-schema a node with
/// its properties in a sorted table. Reference cycles (recursive types)
/// become cycles of node ids, so compiling and walking always end.
///
/// Build it once per (document, schema name) with [`CompiledSchema::compile`]
/// and call [`CompiledSchema::unknown_fields`] per object; the results are
/// the same as [`unknown_fields`]'s.
#[derive(Clone, Debug)]
pub struct CompiledSchema {
    /// Node 0 is the root.
    nodes: Vec<Node>,
}

struct Compiler<'d> {
    schemas: &'d Map<String, Value>,
    ids: HashMap<*const Value, NodeId>,
    nodes: Vec<Node>,
    queue: Vec<(&'d Value, NodeId)>,
    stack: Vec<*const Value>,
}

impl<'d> Compiler<'d> {
    fn id_of(&mut self, schema: &'d Value) -> NodeId {
        let key: *const Value = schema;
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        // Ids are bounded by the number of distinct schema values in the
        // document, far below `u32::MAX`.
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        self.nodes.push(Node::PLACEHOLDER);
        self.ids.insert(key, id);
        self.queue.push((schema, id));
        id
    }

    fn build(&mut self, schema: &'d Value) -> Node {
        let view = view_of(self.schemas, schema, &mut self.stack);
        if view.preserve_unknown {
            return Node::PLACEHOLDER;
        }
        let mut props: Vec<(&'d str, &'d Value)> = view
            .properties
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
            .collect();
        // Stable sort, then keep the first of equal names: the first map
        // that declares a name wins, as in the direct walk.
        props.sort_by(|a, b| by_len_then_bytes(a.0, b.0));
        props.dedup_by(|later, earlier| later.0 == earlier.0);
        let properties = props
            .into_iter()
            .map(|(k, v)| (Box::from(k), self.id_of(v)))
            .collect();
        let additional = match view.additional {
            None => Additional::Absent,
            Some(Value::Bool(true)) => Additional::Allow,
            Some(Value::Bool(false)) => Additional::Deny,
            Some(s) => Additional::Schema(self.id_of(s)),
        };
        let items = view.items.map(|s| self.id_of(s));
        Node {
            accept_all: false,
            open_object: view.properties.is_empty() && view.additional.is_none(),
            embedded_resource: view.embedded_resource,
            properties,
            additional,
            items,
        }
    }
}

impl CompiledSchema {
    /// Compile `schema_name` of `doc_or_components` (an OpenAPI document,
    /// its `components`, or the schemas map). `None` when there is no such
    /// schema (the direct walk then reports nothing).
    pub fn compile(doc_or_components: &Value, schema_name: &str) -> Option<Self> {
        let schemas = schemas_of(doc_or_components)?;
        let root = schemas.get(schema_name)?;
        let mut c = Compiler {
            schemas,
            ids: HashMap::new(),
            nodes: Vec::new(),
            queue: Vec::new(),
            stack: Vec::new(),
        };
        c.id_of(root);
        while let Some((schema, id)) = c.queue.pop() {
            let node = c.build(schema);
            if let Some(slot) = c.nodes.get_mut(id as usize) {
                *slot = node;
            }
        }
        Some(Self { nodes: c.nodes })
    }

    /// How many nodes the compiled graph has (one per distinct reachable
    /// sub-schema).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Fields of `obj` the schema does not declare, worded and ordered as
    /// by [`unknown_fields`].
    pub fn unknown_fields(&self, obj: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(0, obj, &mut Vec::new(), &mut out);
        out
    }

    /// Remove the fields of `obj` the schema does not declare, as decoding
    /// into Kubernetes' typed structs drops them; returns them as
    /// [`CompiledSchema::unknown_fields`] words them.
    pub fn prune_unknown(&self, obj: &mut Value) -> Vec<String> {
        let unknown = self.unknown_fields(obj);
        if !unknown.is_empty() {
            self.prune(0, obj);
        }
        unknown
    }

    /// Where the schema leads from `node` for `key`: `Ok(Some(child))` to
    /// check the value below, `Ok(None)` to accept it unchecked, `Err(())`
    /// when the key is unknown.
    fn step(&self, node: &Node, key: &str) -> Result<Option<NodeId>, ()> {
        if let Some(child) = node.property(key) {
            return Ok(Some(child));
        }
        if node.embedded_resource && is_embedded_key(key) {
            return Ok(None);
        }
        match node.additional {
            Additional::Allow => Ok(None),
            Additional::Deny | Additional::Absent => Err(()),
            Additional::Schema(child) => Ok(Some(child)),
        }
    }

    fn prune(&self, id: NodeId, value: &mut Value) {
        let Some(node) = self.nodes.get(id as usize) else {
            return;
        };
        if node.accept_all {
            return;
        }
        match value {
            Value::Object(map) => {
                if node.open_object {
                    return;
                }
                map.retain(|k, v| match self.step(node, k) {
                    Err(()) => false,
                    Ok(Some(next)) => {
                        self.prune(next, v);
                        true
                    }
                    Ok(None) => true,
                });
            }
            Value::Array(items) => {
                if let Some(item) = node.items {
                    for v in items {
                        self.prune(item, v);
                    }
                }
            }
            _ => {}
        }
    }

    fn walk<'v>(
        &self,
        id: NodeId,
        value: &'v Value,
        path: &mut Vec<Seg<'v>>,
        out: &mut Vec<String>,
    ) {
        let Some(node) = self.nodes.get(id as usize) else {
            return;
        };
        if node.accept_all {
            return;
        }
        match value {
            Value::Object(map) => {
                if node.open_object {
                    return;
                }
                for (k, v) in map {
                    let next = self.step(node, k).unwrap_or_else(|()| {
                        unknown(path, k, out);
                        None
                    });
                    if let Some(next) = next
                        && matches!(v, Value::Object(_) | Value::Array(_))
                    {
                        path.push(Seg::Key(Cow::Borrowed(k)));
                        self.walk(next, v, path, out);
                        path.pop();
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = node.items {
                    for (i, v) in items.iter().enumerate() {
                        if matches!(v, Value::Object(_) | Value::Array(_)) {
                            path.push(Seg::Index(i));
                            self.walk(item, v, path, out);
                            path.pop();
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Nesting depth at which the scan stops (serde_json refuses deeper input).
const MAX_SCAN_DEPTH: usize = 256;

/// Objects with more keys than this switch from a linear duplicate check
/// to a hash set.
const SMALL_OBJECT: usize = 16;

/// Parse the four hex digits at `b[i..]` as the scanner always has
/// (`u32::from_str_radix`, so a leading `+` passes).
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 4)?;
    u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
}

/// Decode the body of a JSON string already checked by
/// [`Scanner::string`]; invalid UTF-8 and lone surrogates become U+FFFD.
fn unescape(b: &[u8]) -> String {
    let mut buf: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i += 1;
        if c != b'\\' {
            buf.push(c);
            continue;
        }
        let Some(&e) = b.get(i) else { break };
        i += 1;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(b, i).unwrap_or(0xFFFD);
                i += 4;
                let code = if (0xD800..0xDC00).contains(&hi) && b.get(i..i + 2) == Some(b"\\u") {
                    let lo = hex4(b, i + 2).unwrap_or(0);
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                } else {
                    hi
                };
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            _ => '\u{FFFD}',
        };
        let mut tmp = [0u8; 4];
        buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
    }
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The keys seen so far in one object being scanned.
enum Seen<'a> {
    /// `keys[base..]` of the scanner's shared key stack.
    Small(usize),
    Large(HashSet<Cow<'a, str>>),
}

/// A tiny JSON scanner that only tracks object keys and paths. Keys borrow
/// the input unless they hold escapes; paths are rendered only for
/// duplicates.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<String>,
    /// The current path, one segment per enclosing key or index.
    path: Vec<Seg<'a>>,
    /// Keys of the small objects being scanned, innermost last.
    keys: Vec<Cow<'a, str>>,
}

impl<'a> Scanner<'a> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// Skip a string, checking its escapes; the raw body and whether it
    /// holds escapes.
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        self.expect(b'"')?;
        let b = self.b;
        let start = self.i;
        let mut escaped = false;
        loop {
            // Plain bytes are skipped in one go.
            let plain = b
                .get(self.i..)?
                .iter()
                .position(|&c| c == b'"' || c == b'\\')?;
            self.i += plain;
            let c = *b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return Some((&b[start..self.i - 1], escaped)),
                b'\\' => {
                    escaped = true;
                    let e = *b.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let hi = hex4(b, self.i)?;
                            self.i += 4;
                            if (0xD800..0xDC00).contains(&hi)
                                && b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                hex4(b, self.i)?;
                                self.i += 4;
                            }
                        }
                        _ => return None,
                    }
                }
                _ => {}
            }
        }
    }

    fn key(&mut self) -> Option<Cow<'a, str>> {
        let (raw, escaped) = self.string()?;
        Some(if escaped {
            Cow::Owned(unescape(raw))
        } else {
            // `from_utf8` is the fast check; lossy only for broken input.
            match std::str::from_utf8(raw) {
                Ok(k) => Cow::Borrowed(k),
                Err(_) => String::from_utf8_lossy(raw),
            }
        })
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_SCAN_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(|_| ()),
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.i += 1;
                }
                (self.i > start).then_some(())
            }
        }
    }

    /// Note `key` as seen in the current object; `true` if it was already.
    #[allow(clippy::ptr_arg)] // cloned into the seen keys: free when borrowed
    fn seen_before(&mut self, seen: &mut Seen<'a>, key: &Cow<'a, str>) -> bool {
        match seen {
            Seen::Large(set) => !set.insert(key.clone()),
            Seen::Small(base) => {
                let base = *base;
                if self.keys.get(base..).is_some_and(|ks| ks.contains(key)) {
                    return true;
                }
                self.keys.push(key.clone());
                if self.keys.len() - base > SMALL_OBJECT {
                    *seen = Seen::Large(self.keys.drain(base..).collect());
                }
                false
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        let base = self.keys.len();
        let mut seen = Seen::Small(base);
        loop {
            self.ws();
            let key = self.key()?;
            self.expect(b':')?;
            let dup = self.seen_before(&mut seen, &key);
            self.path.push(Seg::Key(key));
            if dup {
                self.out
                    .push(format!("duplicate field \"{}\"", render(&self.path)));
            }
            self.value(depth + 1)?;
            self.path.pop();
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    self.keys.truncate(base);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(());
        }
        let mut i = 0usize;
        loop {
            self.path.push(Seg::Index(i));
            self.value(depth + 1)?;
            self.path.pop();
            i += 1;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// Keys that appear twice in one JSON object of `raw_json`, with their full
/// path (`duplicate field "spec.replicas"`), in document order. Input that
/// is not JSON yields what was found before the error (usually nothing).
pub fn duplicate_fields(raw_json: &[u8]) -> Vec<String> {
    let mut s = Scanner {
        b: raw_json,
        i: 0,
        out: Vec::new(),
        path: Vec::new(),
        keys: Vec::new(),
    };
    let _ = s.value(0);
    s.out
}

/// The scanner as it was before it stopped allocating, kept as the oracle
/// for the property tests.
#[cfg(test)]
mod oracle {
    use std::collections::HashSet;

    use super::MAX_SCAN_DEPTH;

    fn child_path(path: &str, key: &str) -> String {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    }

    /// A tiny JSON scanner that only tracks object keys and paths.
    struct Scanner<'a> {
        b: &'a [u8],
        i: usize,
        out: Vec<String>,
    }

    impl Scanner<'_> {
        fn ws(&mut self) {
            while self
                .b
                .get(self.i)
                .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            {
                self.i += 1;
            }
        }

        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }

        fn expect(&mut self, c: u8) -> Option<()> {
            self.ws();
            if self.peek() == Some(c) {
                self.i += 1;
                Some(())
            } else {
                None
            }
        }

        fn hex4(&mut self) -> Option<u32> {
            let s = self.b.get(self.i..self.i + 4)?;
            self.i += 4;
            u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
        }

        fn string(&mut self) -> Option<String> {
            self.expect(b'"')?;
            let mut buf: Vec<u8> = Vec::new();
            loop {
                let c = self.peek()?;
                self.i += 1;
                match c {
                    b'"' => return Some(String::from_utf8_lossy(&buf).into_owned()),
                    b'\\' => {
                        let e = self.peek()?;
                        self.i += 1;
                        let ch = match e {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hi = self.hex4()?;
                                let code = if (0xD800..0xDC00).contains(&hi)
                                    && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                                {
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    0x10000
                                        + ((hi - 0xD800) << 10)
                                        + (lo.wrapping_sub(0xDC00) & 0x3FF)
                                } else {
                                    hi
                                };
                                char::from_u32(code).unwrap_or('\u{FFFD}')
                            }
                            _ => return None,
                        };
                        let mut tmp = [0u8; 4];
                        buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                    }
                    c => buf.push(c),
                }
            }
        }

        fn value(&mut self, path: &str, depth: usize) -> Option<()> {
            if depth > MAX_SCAN_DEPTH {
                return None;
            }
            self.ws();
            match self.peek()? {
                b'{' => self.object(path, depth),
                b'[' => self.array(path, depth),
                b'"' => self.string().map(|_| ()),
                _ => {
                    let start = self.i;
                    while self.peek().is_some_and(|c| {
                        !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                    }) {
                        self.i += 1;
                    }
                    (self.i > start).then_some(())
                }
            }
        }

        fn object(&mut self, path: &str, depth: usize) -> Option<()> {
            self.expect(b'{')?;
            let mut seen: HashSet<String> = HashSet::new();
            self.ws();
            if self.peek() == Some(b'}') {
                self.i += 1;
                return Some(());
            }
            loop {
                self.ws();
                let key = self.string()?;
                self.expect(b':')?;
                let p = child_path(path, &key);
                if !seen.insert(key) {
                    self.out.push(format!("duplicate field \"{p}\""));
                }
                self.value(&p, depth + 1)?;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }

        fn array(&mut self, path: &str, depth: usize) -> Option<()> {
            self.expect(b'[')?;
            self.ws();
            if self.peek() == Some(b']') {
                self.i += 1;
                return Some(());
            }
            let mut i = 0usize;
            loop {
                self.value(&format!("{path}[{i}]"), depth + 1)?;
                i += 1;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Keys that appear twice in one JSON object of `raw_json`, with their full
    /// path (`duplicate field "spec.replicas"`), in document order. Input that
    /// is not JSON yields what was found before the error (usually nothing).
    pub fn duplicate_fields(raw_json: &[u8]) -> Vec<String> {
        let mut s = Scanner {
            b: raw_json,
            i: 0,
            out: Vec::new(),
        };
        let _ = s.value("", 0);
        s.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::builtin_registry;
    use crate::openapi::openapi_v3_document;
    use proptest::prelude::*;
    use serde_json::json;
    use std::sync::OnceLock;

    fn apps_doc() -> &'static Value {
        static DOC: OnceLock<Value> = OnceLock::new();
        DOC.get_or_init(|| openapi_v3_document(&builtin_registry(), "apps", "v1"))
    }

    fn core_doc() -> &'static Value {
        static DOC: OnceLock<Value> = OnceLock::new();
        DOC.get_or_init(|| openapi_v3_document(&builtin_registry(), "", "v1"))
    }

    fn real_deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "default",
                "labels": {"app": "web"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "creationTimestamp": null
            },
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "template": {
                    "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                    "spec": {
                        "containers": [{
                            "name": "web", "image": "nginx:1.25",
                            "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}],
                            "env": [{"name": "A", "value": "1"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.1}},
                            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                            "securityContext": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}
                        }],
                        "volumes": [{"name": "data", "emptyDir": {}}],
                        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}}}]}},
                        "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
                        "nodeSelector": {"kubernetes.io/os": "linux"}
                    }
                }
            },
            "status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True"}]}
        })
    }

    #[test]
    fn real_deployment_has_no_unknown_fields() {
        let d = real_deployment();
        assert_eq!(
            unknown_fields(apps_doc(), "io.k8s.api.apps.v1.Deployment", &d),
            Vec::<String>::new()
        );
        // The components map and the bare schemas map work as well.
        assert!(
            unknown_fields(
                &apps_doc()["components"],
                "io.k8s.api.apps.v1.Deployment",
                &d
            )
            .is_empty()
        );
        assert!(
            unknown_fields(
                &apps_doc()["components"]["schemas"],
                "io.k8s.api.apps.v1.Deployment",
                &d
            )
            .is_empty()
        );
    }

    #[test]
    fn typos_are_found_with_full_paths() {
        let mut d = real_deployment();
        d["spec"]["bogusField"] = json!(1);
        d["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = json!("Always");
        d["metadata"]["lables"] = json!({});
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostIP2"] = json!("x");
        assert_eq!(
            unknown_fields(apps_doc(), "io.k8s.api.apps.v1.Deployment", &d),
            // Key order within each object (JSON objects are sorted maps).
            vec![
                "unknown field \"metadata.lables\"",
                "unknown field \"spec.bogusField\"",
                "unknown field \"spec.template.spec.containers[0].imagePullPolcy\"",
                "unknown field \"spec.template.spec.containers[0].ports[0].hostIP2\"",
            ]
        );
    }

    #[test]
    fn maps_int_or_string_and_unknown_schema() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "x", "livenessProbe": {"tcpSocket": {"port": 80}}}],
                     "overhead": {"cpu": "1"}}});
        assert!(unknown_fields(core_doc(), "io.k8s.api.core.v1.Pod", &pod).is_empty());
        assert!(unknown_fields(core_doc(), "io.k8s.api.core.v1.Nope", &pod).is_empty());
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"anything": "x"}, "extra": 1});
        assert_eq!(
            unknown_fields(core_doc(), "io.k8s.api.core.v1.ConfigMap", &cm),
            vec!["unknown field \"extra\""]
        );
    }

    #[test]
    fn preserve_unknown_fields_and_embedded_resources() {
        let schemas = json!({
            "T": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "obj": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"a": {"type": "string"}}},
                    "byKey": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/U"}},
                    "closed": {"type": "object", "properties": {"x": {"type": "string"}}, "additionalProperties": false}
                }}
            }},
            "U": {"type": "object", "properties": {"u": {"type": "integer"}}}
        });
        let obj = json!({"spec": {
            "free": {"x": {"y": 1}},
            "obj": {"apiVersion": "v1", "kind": "X", "metadata": {}, "a": "b", "c": 1},
            "byKey": {"k": {"u": 1, "v": 2}},
            "closed": {"x": "1", "y": "2"}
        }});
        assert_eq!(
            unknown_fields(&schemas, "T", &obj),
            vec![
                "unknown field \"spec.byKey.k.v\"",
                "unknown field \"spec.closed.y\"",
                "unknown field \"spec.obj.c\"",
            ]
        );
    }

    #[test]
    fn duplicates_are_found() {
        let raw = br#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","name":"b"}]}},"replicas":2},"kind":"Deployment"}"#;
        assert_eq!(
            duplicate_fields(raw),
            vec![
                "duplicate field \"spec.template.spec.containers[0].name\"",
                "duplicate field \"spec.replicas\"",
                "duplicate field \"kind\"",
            ]
        );
        assert!(
            duplicate_fields(br#"{"a": {"b": 1}, "c": {"b": 2}, "d": [{"x":1},{"x":2}]}"#)
                .is_empty()
        );
        assert_eq!(
            duplicate_fields(br#"{"a\u0062": 1, "ab": 2}"#),
            vec!["duplicate field \"ab\""]
        );
        assert!(duplicate_fields(b"not json").is_empty());
        assert!(duplicate_fields(b"").is_empty());
        assert_eq!(
            duplicate_fields(br#"{"a":1,"a":2"#),
            vec!["duplicate field \"a\""]
        );
    }

    proptest! {
        #[test]
        fn serialized_values_have_no_duplicates(v in any_json()) {
            let raw = serde_json::to_vec(&v).unwrap();
            prop_assert!(duplicate_fields(&raw).is_empty());
        }

        #[test]
        fn repeated_key_is_reported(key in "[a-zA-Z\"\\\\é]{1,8}", a in 0i32..10, b in 0i32..10) {
            let k = serde_json::to_string(&key).unwrap();
            let raw = format!("{{\"spec\": {{{k}: {a}, \"other\": true, {k}: {b}}}}}");
            prop_assert_eq!(duplicate_fields(raw.as_bytes()), vec![format!("duplicate field \"spec.{key}\"")]);
        }

        #[test]
        fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = duplicate_fields(&bytes);
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\ ]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Bytes that look like JSON often enough to reach deep into the
    /// scanner: structural tokens, keys with and without escapes, broken
    /// escapes, scalars and whitespace.
    fn json_ish() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(","),
            Just(":"),
            Just(" "),
            Just("\"a\""),
            Just("\"b\""),
            Just("\"a\\u0062\""),
            Just("\"ab\""),
            Just("\"\""),
            Just("\"\\\"\""),
            Just("\"\\ud83d\\ude00\""),
            Just("\"\\ud83d\""),
            Just("\"\\x\""),
            Just("\"\\u+0ab\""),
            Just("\"\\u12\""),
            Just("\"\u{e9}\""),
            Just("\"\\u00e9\""),
            Just("1"),
            Just("null"),
            Just("\n"),
        ];
        proptest::collection::vec(token, 0..40).prop_map(|ts| ts.concat().into_bytes())
    }

    /// A JSON object text with some keys repeated, built from a value.
    fn with_repeats(v: &Value, rng: &mut u64, out: &mut String) {
        match v {
            Value::Object(m) => {
                out.push('{');
                let mut first = true;
                let entries: Vec<_> = m.iter().collect();
                for (k, val) in &entries {
                    *rng ^= *rng << 13;
                    *rng ^= *rng >> 7;
                    *rng ^= *rng << 17;
                    let times = if rng.is_multiple_of(3) { 2 } else { 1 };
                    for _ in 0..times {
                        if !first {
                            out.push(',');
                        }
                        first = false;
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push(':');
                        with_repeats(val, rng, out);
                    }
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, val) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    with_repeats(val, rng, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    #[test]
    fn large_objects_use_the_set_and_agree() {
        let mut raw = String::from("{");
        for i in 0..100 {
            raw.push_str(&format!("\"k{}\": {{\"x\": 1, \"x\": 2}},", i % 60));
        }
        raw.push_str("\"end\": 0}");
        let got = duplicate_fields(raw.as_bytes());
        assert_eq!(got, oracle::duplicate_fields(raw.as_bytes()));
        assert_eq!(got.len(), 100 + 40);
        assert_eq!(got[0], "duplicate field \"k0.x\"");
        assert!(got.contains(&"duplicate field \"k0\"".to_string()));
    }

    #[test]
    fn paths_with_empty_keys_and_root_arrays() {
        for raw in [
            &br#"[{"a":1,"a":2}]"#[..],
            br#"{"":{"a":1,"a":2}}"#,
            br#"{"a":{"":1,"":2}}"#,
            br#"[[{"b":[{"c":0,"c":1}]}]]"#,
        ] {
            let got = duplicate_fields(raw);
            assert_eq!(got.len(), 1);
            assert_eq!(got, oracle::duplicate_fields(raw));
        }
        assert_eq!(
            duplicate_fields(br#"[{"a":1,"a":2}]"#),
            vec!["duplicate field \"[0].a\""]
        );
    }

    /// Keys drawn from real Pod field names, plus typos.
    fn pod_key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("apiVersion"),
            Just("kind"),
            Just("metadata"),
            Just("spec"),
            Just("status"),
            Just("name"),
            Just("labels"),
            Just("annotations"),
            Just("containers"),
            Just("image"),
            Just("ports"),
            Just("containerPort"),
            Just("env"),
            Just("value"),
            Just("valueFrom"),
            Just("fieldRef"),
            Just("resources"),
            Just("limits"),
            Just("requests"),
            Just("cpu"),
            Just("livenessProbe"),
            Just("httpGet"),
            Just("port"),
            Just("volumes"),
            Just("emptyDir"),
            Just("ownerReferences"),
            Just("managedFields"),
            Just("fieldsV1"),
            Just("nodeSelector"),
            Just("affinity"),
            Just("securityContext"),
            Just("capabilities"),
            Just("drop"),
            Just("bogus"),
            Just("imagePullPolcy"),
            Just("x"),
        ]
        .prop_map(str::to_string)
    }

    fn pod_like() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            Just(json!(1)),
            Just(json!("s")),
            Just(json!(true)),
        ];
        leaf.prop_recursive(6, 64, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::vec((pod_key(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// A random schema document over names `S0..S3`: properties, `$ref`s
    /// (cycles included), `allOf`, `additionalProperties` in all forms,
    /// `items` and the Kubernetes extensions.
    fn schema_doc() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(json!({"type": "string"})),
            Just(json!(true)),
            Just(json!(false)),
            Just(Value::Null),
            (0..5u8).prop_map(|i| json!({"$ref": format!("{SCHEMA_REF_PREFIX}S{i}")})),
            (0..4u8).prop_map(|i| json!({"$ref": format!("#/definitions/S{i}")})),
        ];
        let schema = leaf.prop_recursive(4, 40, 4, |inner| {
            (
                proptest::option::of(proptest::collection::vec(("[abx]", inner.clone()), 0..4)),
                proptest::option::of(prop_oneof![
                    Just(json!(true)),
                    Just(json!(false)),
                    inner.clone()
                ]),
                proptest::option::of(inner.clone()),
                proptest::option::of(proptest::collection::vec(inner, 1..3)),
                any::<(bool, bool)>(),
            )
                .prop_map(|(props, add, items, all_of, (preserve, embedded))| {
                    let mut s = Map::new();
                    if let Some(p) = props {
                        s.insert("properties".into(), Value::Object(p.into_iter().collect()));
                    }
                    if let Some(a) = add {
                        s.insert("additionalProperties".into(), a);
                    }
                    if let Some(i) = items {
                        s.insert("items".into(), i);
                    }
                    if let Some(a) = all_of {
                        s.insert("allOf".into(), Value::Array(a));
                    }
                    if preserve {
                        s.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
                    }
                    if embedded {
                        s.insert("x-kubernetes-embedded-resource".into(), json!(true));
                    }
                    Value::Object(s)
                })
        });
        proptest::collection::vec(schema, 4).prop_map(|v| {
            Value::Object(
                v.into_iter()
                    .enumerate()
                    .map(|(i, s)| (format!("S{i}"), s))
                    .collect(),
            )
        })
    }

    fn small_object() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![Just(Value::Null), Just(json!(1)), Just(json!("s"))];
        leaf.prop_recursive(5, 48, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("a".to_string()),
                            Just("b".to_string()),
                            Just("x".to_string()),
                            Just("kind".to_string()),
                            Just("metadata".to_string()),
                            Just("z".to_string()),
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn compiled_pod_schema_matches_the_walk_on_typos() {
        let c = CompiledSchema::compile(core_doc(), "io.k8s.api.core.v1.Pod").unwrap();
        assert!(c.node_count() > 10);
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "lables": {}},
            "spec": {"containers": [{"name": "c", "image": "x", "imagePullPolcy": "Always",
                "livenessProbe": {"tcpSocket": {"port": 80}, "bogus": 1}}],
                     "overhead": {"cpu": "1"}}});
        let want = vec![
            "unknown field \"metadata.lables\"",
            "unknown field \"spec.containers[0].imagePullPolcy\"",
            "unknown field \"spec.containers[0].livenessProbe.bogus\"",
        ];
        assert_eq!(c.unknown_fields(&pod), want);
        assert_eq!(
            unknown_fields(core_doc(), "io.k8s.api.core.v1.Pod", &pod),
            want
        );
        pod["metadata"]["lables"] = Value::Null;
        assert_eq!(c.unknown_fields(&pod).len(), 3);
        assert!(CompiledSchema::compile(core_doc(), "io.k8s.api.core.v1.Nope").is_none());
        let d = CompiledSchema::compile(apps_doc(), "io.k8s.api.apps.v1.Deployment").unwrap();
        assert!(d.unknown_fields(&real_deployment()).is_empty());
    }

    #[test]
    fn reference_cycles_end() {
        // A loop of references that never reaches a schema accepts
        // anything; a recursive type (JSONSchemaProps-like) keeps checking.
        let schemas = json!({
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop2"}, {"$ref": "#/components/schemas/Loop2"}]},
            "Loop2": {"allOf": [{"$ref": "#/components/schemas/Loop"}, {"$ref": "#/components/schemas/Loop"}]},
            "Tree": {"type": "object", "properties": {
                "v": {"type": "integer"},
                "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                "byName": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Tree"}}
            }}
        });
        let obj = json!({"v": 1, "kids": [{"v": 2, "kids": [{"w": 3}]}], "byName": {"a": {"kids": [{"q": 1}]}}});
        let want = vec![
            "unknown field \"byName.a.kids[0].q\"",
            "unknown field \"kids[0].kids[0].w\"",
        ];
        assert_eq!(unknown_fields(&schemas, "Tree", &obj), want);
        let tree = CompiledSchema::compile(&schemas, "Tree").unwrap();
        assert_eq!(tree.unknown_fields(&obj), want);
        // Tree, v, kids, kids.items, byName, byName.additionalProperties.
        assert_eq!(tree.node_count(), 6);
        assert!(unknown_fields(&schemas, "Loop", &obj).is_empty());
        assert!(
            CompiledSchema::compile(&schemas, "Loop")
                .unwrap()
                .unknown_fields(&obj)
                .is_empty()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn scan_agrees_with_the_old_scanner_on_json_ish_bytes(raw in json_ish()) {
            prop_assert_eq!(duplicate_fields(&raw), oracle::duplicate_fields(&raw));
        }

        #[test]
        fn scan_agrees_with_the_old_scanner_on_random_bytes(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(duplicate_fields(&raw), oracle::duplicate_fields(&raw));
        }

        #[test]
        fn scan_agrees_with_the_old_scanner_on_repeated_keys(v in any_json(), seed in 1u64.., cut in 0usize..400) {
            let mut text = String::new();
            with_repeats(&v, &mut seed.clone(), &mut text);
            let raw = text.as_bytes();
            prop_assert_eq!(duplicate_fields(raw), oracle::duplicate_fields(raw));
            // Truncated input reports what came before the cut, as before.
            let cut = &raw[..cut.min(raw.len())];
            prop_assert_eq!(duplicate_fields(cut), oracle::duplicate_fields(cut));
        }

        #[test]
        fn compiled_pod_schema_agrees_with_the_walk(obj in pod_like()) {
            static POD: OnceLock<CompiledSchema> = OnceLock::new();
            let c = POD.get_or_init(|| CompiledSchema::compile(core_doc(), "io.k8s.api.core.v1.Pod").unwrap());
            prop_assert_eq!(c.unknown_fields(&obj), unknown_fields(core_doc(), "io.k8s.api.core.v1.Pod", &obj));
        }

        #[test]
        fn compiled_random_schemas_agree_with_the_walk(doc in schema_doc(), objs in proptest::collection::vec(small_object(), 1..4)) {
            let doc = json!({"components": {"schemas": doc}});
            for name in ["S0", "S1", "S2", "S3", "S4"] {
                let compiled = CompiledSchema::compile(&doc, name);
                prop_assert_eq!(compiled.is_some(), name != "S4");
                for obj in &objs {
                    let got = compiled.as_ref().map(|c| c.unknown_fields(obj)).unwrap_or_default();
                    prop_assert_eq!(got, unknown_fields(&doc, name, obj));
                }
            }
        }

        /// Pruning removes exactly what the walk reports: afterwards
        /// nothing is unknown, and a clean object is left as it was.
        #[test]
        fn pruning_leaves_nothing_unknown(obj in pod_like(), doc in schema_doc(), small in small_object()) {
            static POD: OnceLock<CompiledSchema> = OnceLock::new();
            let c = POD.get_or_init(|| CompiledSchema::compile(core_doc(), "io.k8s.api.core.v1.Pod").unwrap());
            let doc = json!({"components": {"schemas": doc}});
            let mut cases = vec![(c.clone(), obj)];
            if let Some(s) = CompiledSchema::compile(&doc, "S0") {
                cases.push((s, small));
            }
            for (schema, obj) in cases {
                let mut pruned = obj.clone();
                let reported = schema.prune_unknown(&mut pruned);
                prop_assert_eq!(&reported, &schema.unknown_fields(&obj));
                prop_assert!(schema.unknown_fields(&pruned).is_empty(), "{}", pruned);
                prop_assert_eq!(reported.is_empty(), pruned == obj);
                let mut again = pruned.clone();
                prop_assert!(schema.prune_unknown(&mut again).is_empty());
                prop_assert_eq!(again, pruned);
            }
        }
    }

    #[test]
    fn pruning_removes_typos_and_keeps_the_rest() {
        let c = CompiledSchema::compile(core_doc(), "io.k8s.api.core.v1.Pod").unwrap();
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "bogus": 1,
            "metadata": {"name": "p", "lables": {}, "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "x", "imagePullPolcy": "Always",
                "resources": {"limits": {"cpu": "1"}}}]}});
        assert_eq!(c.prune_unknown(&mut pod).len(), 3);
        assert_eq!(
            pod,
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}})
        );
    }
}
