//! Instances generated from a JSON Schema: valid ones, and mutations of a
//! valid one that are each invalid in one place.
//!
//! Used by the differential test of our schemas against the official ones,
//! and to build tool arguments from a tool's `inputSchema`. Deterministic:
//! the same root, schema and seed give the same instance. Local `$ref`s are
//! followed, both `#/$defs/...` and `#/definitions/...`, so it works on
//! draft-07 and 2020-12 documents alike. Best effort: keywords it does not
//! understand (`not`, `if`, most of `pattern`) may make an instance invalid.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

/// Beyond this instance depth only required properties and minimal arrays
/// are generated, so recursive schemas terminate.
const SOFT_DEPTH: usize = 4;
/// Beyond this depth generation gives up.
const HARD_DEPTH: usize = 16;
/// `$ref`/`allOf`/union expansions allowed without descending into the
/// instance, against reference cycles such as `{"$ref": "#"}`.
const MAX_HOPS: usize = 48;
/// Upper bound on the mutations returned for one instance.
const MAX_MUTATIONS: usize = 120;
/// Schemas come from servers: a `minLength`, `minItems` or `minProperties`
/// above this is not satisfied, rather than exhausting memory.
const MAX_SIZE: usize = 4096;

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// An instance of `schema` meant to be valid, or `None` if none could be
/// built (a `false` schema, an unresolvable `$ref`, runaway recursion).
///
/// `root` is the document `schema`'s `$ref`s point into (pass `schema`
/// itself for a standalone schema such as a tool's `inputSchema`). The seed
/// chooses branches, optional properties, lengths and values: seeds that are
/// multiples of 3 leave optional properties out, seeds 1 more than a
/// multiple of 3 put all of them in (near the top), the rest choose at random.
pub fn valid(root: &Value, schema: &Value, seed: u64) -> Option<Value> {
    let optional = match seed % 3 {
        0 => Optional::None,
        1 => Optional::All,
        _ => Optional::Some,
    };
    let mut generator = Generator {
        root,
        rng: Rng::new(seed),
        optional,
    };
    generator.value(schema, 0, 0)
}

/// Variants of `valid` (an instance of `schema`), each meant to be invalid in
/// exactly one place: a required property dropped, a value of the wrong JSON
/// type, a const or enum broken, an unknown property where
/// `additionalProperties` is false, a bound violated (numeric, length, item
/// count), a format broken, the wrong type at the top. Deterministic, and
/// bounded in number. Some may turn out valid (another `anyOf` branch may
/// accept them); callers that need invalid ones must check.
pub fn mutations(root: &Value, schema: &Value, valid: &Value) -> Vec<Value> {
    mutation_edits(root, schema, valid)
        .iter()
        .map(|edit| edit.apply(valid))
        .collect()
}

/// One of [`mutations`], `pick(n)` choosing its index among the `n` there
/// are, built alone: the same value as `mutations(..)[pick(n)]`, without
/// building the others (the fuzzer calls this for every input). `None`
/// when there are none (`pick` is then not called).
pub fn mutation(
    root: &Value,
    schema: &Value,
    valid: &Value,
    pick: impl FnOnce(usize) -> usize,
) -> Option<Value> {
    let edits = mutation_edits(root, schema, valid);
    if edits.is_empty() {
        return None;
    }
    edits.get(pick(edits.len())).map(|edit| edit.apply(valid))
}

fn mutation_edits(root: &Value, schema: &Value, valid: &Value) -> Vec<Edit> {
    let mutator = Mutator {
        root,
        alternatives: false,
    };
    distinct(mutator.at(schema, valid, 0, 0, MAX_MUTATIONS), valid)
}

/// Valid variants of `valid` (an instance of `schema`), each differing in one
/// place: every other value of an `enum`, and a value of each other type a
/// `type` list allows. Random choice in [`valid`] may never pick some enum
/// value; with this, every one is tried.
pub fn alternatives(root: &Value, schema: &Value, valid: &Value) -> Vec<Value> {
    let mutator = Mutator {
        root,
        alternatives: true,
    };
    distinct(mutator.at(schema, valid, 0, 0, MAX_MUTATIONS), valid)
        .iter()
        .map(|edit| edit.apply(valid))
        .collect()
}

/// One step down into an instance.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a variant changes at its place.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// The value there becomes this one.
    Replace(Value),
    /// This member of the object there is dropped.
    Remove(String),
    /// This member is added to the object there (at the end).
    Insert(String, Value),
}

/// A variant of an instance, as the one place where it differs: the
/// mutator builds these, not whole copies of the instance, so that a
/// caller who uses one variant pays for one copy.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    /// From the top of the instance down to the place (outermost first).
    path: Vec<Step>,
    change: Change,
}

impl Edit {
    fn here(value: Value) -> Edit {
        Edit {
            path: Vec::new(),
            change: Change::Replace(value),
        }
    }

    /// The same edit, one level further down from a parent's point of view.
    fn under(mut self, step: Step) -> Edit {
        self.path.insert(0, step);
        self
    }

    /// The value at the edit's place in `original`.
    fn target<'v>(&self, original: &'v Value) -> Option<&'v Value> {
        self.path.iter().try_fold(original, |v, step| match step {
            Step::Key(k) => v.get(k),
            Step::Index(i) => v.get(i),
        })
    }

    /// Does applying it give `original` back?
    fn is_identity(&self, original: &Value) -> bool {
        match &self.change {
            Change::Replace(v) => self.target(original) == Some(v),
            Change::Remove(k) => self
                .target(original)
                .is_some_and(|o| o.get(k).is_none()),
            Change::Insert(k, v) => self
                .target(original)
                .is_some_and(|o| o.get(k) == Some(v)),
        }
    }

    /// `original` with the edit made.
    fn apply(&self, original: &Value) -> Value {
        let mut out = original.clone();
        let place = self.path.iter().try_fold(&mut out, |v, step| match step {
            Step::Key(k) => v.get_mut(k),
            Step::Index(i) => v.get_mut(*i),
        });
        match (place, &self.change) {
            (Some(place), Change::Replace(v)) => *place = v.clone(),
            (Some(Value::Object(object)), Change::Remove(k)) => {
                object.shift_remove(k);
            }
            (Some(Value::Object(object)), Change::Insert(k, v)) => {
                object.insert(k.clone(), v.clone());
            }
            _ => {}
        }
        out
    }

    fn hash(&self) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for step in &self.path {
            h = match step {
                Step::Key(k) => mix(h, text_hash(k)),
                Step::Index(i) => mix(h, *i as u64 ^ 0x55),
            };
        }
        match &self.change {
            Change::Replace(v) => mix(mix(h, 1), shape_hash(v)),
            Change::Remove(k) => mix(mix(h, 2), text_hash(k)),
            Change::Insert(k, v) => mix(mix(mix(h, 3), text_hash(k)), shape_hash(v)),
        }
    }
}

/// `variants` without those that give `original` back and without
/// repeats, in their order. Each edit is compared in full only with those
/// of the same hash (the fuzzer calls this for every input it generates).
fn distinct(mut variants: Vec<Edit>, original: &Value) -> Vec<Edit> {
    let mut unique: Vec<Edit> = Vec::with_capacity(variants.len());
    let mut seen: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    for v in variants.drain(..) {
        if v.is_identity(original) {
            continue;
        }
        let hash = v.hash();
        let same = seen.entry(hash).or_default();
        if same.iter().any(|&i| unique[i] == v) {
            continue;
        }
        same.push(unique.len());
        unique.push(v);
    }
    unique
}

/// A hash consistent with `Value`'s equality: equal values hash alike
/// (object members in any order, numbers by their printed form).
fn shape_hash(value: &Value) -> u64 {
    match value {
        Value::Null => 1,
        Value::Bool(b) => 2 + u64::from(*b),
        Value::Number(n) => mix(4, text_hash(&n.to_string())),
        Value::String(s) => mix(5, text_hash(s)),
        Value::Array(items) => items.iter().fold(6, |h, item| mix(h, shape_hash(item))),
        // Members are summed: their order does not change equality.
        Value::Object(map) => map.iter().fold(7u64, |h, (k, v)| h.wrapping_add(mix(text_hash(k), shape_hash(v)))),
    }
}

fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(0x0000_0100_0000_01b3)
}

fn text_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| mix(h, u64::from(b)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Optional {
    None,
    Some,
    All,
}

/// Resolves a local reference (`#`, `#/$defs/X`, `#/definitions/X`, any JSON pointer).
fn lookup<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    if pointer.contains('%') {
        let decoded = percent_decode(pointer)?;
        return root.pointer(&decoded);
    }
    root.pointer(pointer)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The schema with `$ref` and `allOf` folded in, so the caller sees one
/// object holding every constraint that applies at this point. `None` when a
/// reference does not resolve or the references loop.
fn effective<'a>(root: &'a Value, schema: &'a Value, hops: usize) -> Option<Cow<'a, Value>> {
    if hops > MAX_HOPS {
        return None;
    }
    let Value::Object(map) = schema else {
        return Some(Cow::Borrowed(schema));
    };
    let reference = map.get("$ref").and_then(Value::as_str);
    let all_of = map.get("allOf").and_then(Value::as_array);
    if reference.is_none() && all_of.is_none() {
        return Some(Cow::Borrowed(schema));
    }
    let mut rest = map.clone();
    rest.remove("$ref");
    rest.remove("allOf");
    let mut merged = Value::Object(rest);
    if let Some(reference) = reference {
        let target = effective(root, lookup(root, reference)?, hops + 1)?;
        merged = merge(&target, &merged);
    }
    for part in all_of.into_iter().flatten() {
        let part = effective(root, part, hops + 1)?;
        merged = merge(&merged, &part);
    }
    Some(Cow::Owned(merged))
}

/// Both schemas at once, as far as generation needs: properties and
/// required are united, types intersected, bounds tightened; for other
/// keywords the first schema wins.
fn merge(a: &Value, b: &Value) -> Value {
    let (a, b) = match (a, b) {
        (Value::Bool(true), other) | (other, Value::Bool(true)) => return other.clone(),
        (Value::Bool(false), _) | (_, Value::Bool(false)) => return Value::Bool(false),
        (Value::Object(a), Value::Object(b)) => (a, b),
        (a, _) => return a.clone(),
    };
    let mut out = a.clone();
    for (key, bv) in b {
        let Some(av) = a.get(key) else {
            out.insert(key.clone(), bv.clone());
            continue;
        };
        let merged = match key.as_str() {
            "properties" => {
                let mut props = av.as_object().cloned().unwrap_or_default();
                for (name, schema) in bv.as_object().into_iter().flatten() {
                    let joined = match props.get(name) {
                        Some(existing) => Value::Object(Map::from_iter([(
                            "allOf".to_owned(),
                            Value::Array(vec![existing.clone(), schema.clone()]),
                        )])),
                        None => schema.clone(),
                    };
                    props.insert(name.clone(), joined);
                }
                Value::Object(props)
            }
            "required" => {
                let mut names = av.as_array().cloned().unwrap_or_default();
                for name in bv.as_array().into_iter().flatten() {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
                Value::Array(names)
            }
            "type" => {
                let left = types_of(av);
                let both: Vec<Value> = types_of(bv)
                    .into_iter()
                    .filter(|t| left.contains(t) || (*t == "integer" && left.contains(&"number")))
                    .map(Value::from)
                    .collect();
                Value::Array(both)
            }
            "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties" => {
                pick_number(av, bv, true)
            }
            "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties" => {
                pick_number(av, bv, false)
            }
            "additionalProperties" if *bv == Value::Bool(false) => bv.clone(),
            _ => av.clone(),
        };
        out.insert(key.clone(), merged);
    }
    Value::Object(out)
}

fn pick_number(a: &Value, b: &Value, larger: bool) -> Value {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if (y > x) == larger => b.clone(),
        _ => a.clone(),
    }
}

fn types_of(value: &Value) -> Vec<&str> {
    match value {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The JSON types `schema` (already effective) admits, when it says.
fn declared_types(schema: &Map<String, Value>) -> Option<Vec<&str>> {
    if let Some(t) = schema.get("type") {
        return Some(types_of(t));
    }
    None
}

/// A JSON type the schema's keywords imply, when it declares none.
fn implied_type(schema: &Map<String, Value>) -> &'static str {
    let has = |k: &str| schema.contains_key(k);
    if has("properties")
        || has("required")
        || has("additionalProperties")
        || has("patternProperties")
        || has("minProperties")
        || has("maxProperties")
    {
        "object"
    } else if has("items")
        || has("prefixItems")
        || has("minItems")
        || has("maxItems")
        || has("contains")
        || has("uniqueItems")
    {
        "array"
    } else if has("minLength") || has("maxLength") || has("pattern") || has("format") {
        "string"
    } else if has("minimum")
        || has("maximum")
        || has("exclusiveMinimum")
        || has("exclusiveMaximum")
        || has("multipleOf")
    {
        "number"
    } else {
        "any"
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integer(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// Does `value` have one of `types`? ("integer" values are also "number"s.)
fn has_type(types: &[&str], value: &Value) -> bool {
    let t = type_of(value);
    types.contains(&t) || (t == "integer" && types.contains(&"number"))
}

struct Generator<'a> {
    root: &'a Value,
    rng: Rng,
    optional: Optional,
}

impl<'a> Generator<'a> {
    fn value(&mut self, schema: &Value, depth: usize, hops: usize) -> Option<Value> {
        if depth > HARD_DEPTH || hops > MAX_HOPS {
            return None;
        }
        let schema = effective(self.root, schema, hops)?;
        let map = match schema.as_ref() {
            Value::Bool(true) => return Some(self.anything(depth)),
            Value::Object(map) => map,
            _ => return None,
        };
        if let Some(c) = map.get("const") {
            return Some(c.clone());
        }
        if let Some(options) = map.get("enum").and_then(Value::as_array) {
            let allowed: Vec<&Value> = match declared_types(map) {
                Some(types) => options.iter().filter(|o| has_type(&types, o)).collect(),
                None => options.iter().collect(),
            };
            return allowed
                .get(self.rng.below(allowed.len()))
                .map(|v| (*v).clone());
        }
        let union = map
            .get("anyOf")
            .or_else(|| map.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(branches) = union {
            return self.union(map, branches, depth, hops);
        }
        let types = declared_types(map);
        let ty = match &types {
            Some(types) if types.is_empty() => return None,
            Some(types) => self.choose_type(types, depth),
            None => implied_type(map),
        };
        match ty {
            "object" => self.object(map, depth),
            "array" => self.array(map, depth),
            "string" => self.string(map).map(Value::String),
            "integer" => self.number(map, true),
            "number" => {
                // Whole numbers half the time, when the bounds leave room for one.
                let integral = self.rng.chance(50);
                self.number(map, integral)
                    .or_else(|| self.number(map, false))
            }
            "boolean" => Some(Value::Bool(self.rng.chance(50))),
            "null" => Some(Value::Null),
            _ => Some(self.anything(depth)),
        }
    }

    /// Tries the branches in a seed-chosen order; deep down, branches that
    /// do not recurse come first so recursive unions (JSON values) end.
    fn union(
        &mut self,
        map: &Map<String, Value>,
        branches: &[Value],
        depth: usize,
        hops: usize,
    ) -> Option<Value> {
        let mut rest = map.clone();
        rest.remove("anyOf");
        rest.remove("oneOf");
        let rest = Value::Object(rest);
        let mut order: Vec<usize> = (0..branches.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, self.rng.below(i + 1));
        }
        if depth >= SOFT_DEPTH {
            order.sort_by_key(|&i| self.is_container(&branches[i], hops));
        }
        for i in order {
            let Some(branch) = effective(self.root, &branches[i], hops + 1) else {
                continue;
            };
            let merged = merge(&branch, &rest);
            if let Some(v) = self.value(&merged, depth, hops + 1) {
                return Some(v);
            }
        }
        None
    }

    fn is_container(&self, schema: &Value, hops: usize) -> bool {
        match effective(self.root, schema, hops + 1).as_deref() {
            Some(Value::Object(map)) => {
                let types = declared_types(map).unwrap_or_else(|| vec![implied_type(map)]);
                types.iter().any(|t| *t == "object" || *t == "array")
            }
            _ => false,
        }
    }

    fn choose_type<'t>(&mut self, types: &[&'t str], depth: usize) -> &'t str {
        if depth >= SOFT_DEPTH {
            if let Some(scalar) = types.iter().find(|t| **t != "object" && **t != "array") {
                return scalar;
            }
        }
        types[self.rng.below(types.len())]
    }

    fn include_optional(&mut self, depth: usize) -> bool {
        if depth >= SOFT_DEPTH - 1 {
            return false;
        }
        match self.optional {
            Optional::None => false,
            Optional::All => true,
            Optional::Some => self.rng.chance(50),
        }
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Option<Value> {
        let empty = Map::new();
        let properties = map
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let additional = map.get("additionalProperties");
        let mut out = Map::new();
        for (name, schema) in properties {
            if required.contains(&name.as_str()) || self.include_optional(depth) {
                match self.value(schema, depth + 1, 0) {
                    Some(v) => {
                        out.insert(name.clone(), v);
                    }
                    None if required.contains(&name.as_str()) => return None,
                    None => {}
                }
            }
        }
        for name in required {
            if !out.contains_key(name) {
                let v = match additional {
                    Some(Value::Bool(false)) => return None,
                    Some(schema) => self.value(schema, depth + 1, 0)?,
                    None => Value::from("x"),
                };
                out.insert(name.to_owned(), v);
            }
        }
        // Extra entries: a map-like object (no declared properties) gets a
        // few; a record with an explicit open additionalProperties sometimes one.
        let extras = match additional {
            Some(Value::Bool(false)) | None => 0,
            Some(_) if depth >= SOFT_DEPTH => 0,
            Some(_) if properties.is_empty() => self.rng.below(3),
            Some(_) if self.optional != Optional::None && self.rng.chance(25) => 1,
            Some(_) => 0,
        };
        let min_properties = map
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        if min_properties > MAX_SIZE {
            return None;
        }
        let target = (out.len() + extras).max(min_properties);
        let mut n = 0;
        while out.len() < target && n < target + 16 {
            let key = format!("key{n}");
            n += 1;
            if out.contains_key(&key) || properties.contains_key(&key) {
                continue;
            }
            let v = match additional {
                Some(Value::Bool(false)) => return None,
                Some(schema) => self.value(schema, depth + 1, 0)?,
                None => Value::from("x"),
            };
            out.insert(key, v);
        }
        if let Some(max) = map.get("maxProperties").and_then(Value::as_u64) {
            let required: Vec<&Value> = map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            let removable: Vec<String> = out
                .keys()
                .filter(|k| !required.contains(&&Value::from(k.as_str())))
                .cloned()
                .collect();
            for key in removable {
                if out.len() as u64 <= max {
                    break;
                }
                out.shift_remove(&key);
            }
        }
        Some(Value::Object(out))
    }

    fn array(&mut self, map: &Map<String, Value>, depth: usize) -> Option<Value> {
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        if min > MAX_SIZE {
            return None;
        }
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let upper = max.unwrap_or(usize::MAX).min(min + 2);
        let len = if depth >= SOFT_DEPTH || upper < min {
            min
        } else {
            min + self.rng.below(upper - min + 1)
        };
        // Tuples: 2020-12 prefixItems, or the older array form of items.
        let (tuple, rest) = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(prefix)), items) => (prefix.as_slice(), items),
            (None, Some(Value::Array(prefix))) => (prefix.as_slice(), map.get("additionalItems")),
            (_, items) => (&[][..], items),
        };
        let unique = map.get("uniqueItems") == Some(&Value::Bool(true));
        let mut out: Vec<Value> = Vec::with_capacity(len);
        if let Some(contains) = map.get("contains") {
            if len > 0 {
                out.push(self.value(contains, depth + 1, 0)?);
            }
        }
        let mut attempts = 0;
        while out.len() < len && attempts < len * 4 + 8 {
            attempts += 1;
            let item = match tuple.get(out.len()) {
                Some(schema) => self.value(schema, depth + 1, 0)?,
                None => match rest {
                    Some(Value::Bool(false)) => break,
                    Some(schema) => self.value(schema, depth + 1, 0)?,
                    None => self.anything(depth + 1),
                },
            };
            if unique && out.contains(&item) {
                continue;
            }
            out.push(item);
        }
        if out.len() < min {
            return None;
        }
        Some(Value::Array(out))
    }

    fn string(&mut self, map: &Map<String, Value>) -> Option<String> {
        let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        if min > MAX_SIZE {
            return None;
        }
        let max = map
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= min && max.is_none_or(|max| n <= max)
        };
        if let Some(format) = map.get("format").and_then(Value::as_str) {
            if let Some(s) = self.formatted(format) {
                if fits(&s) {
                    return Some(s);
                }
            }
        }
        let target = {
            let hi = max.unwrap_or(min + 12).max(min);
            let lo = min.max(1).min(hi);
            // The declared length bounds exactly, an eighth of the time each.
            match self.rng.below(8) {
                0 if min > 0 || max.is_some() => min,
                1 if max.is_some_and(|m| m <= MAX_SIZE) => hi,
                _ => lo + self.rng.below((hi.min(lo + 10)) - lo + 1),
            }
        };
        let plain = if self.rng.chance(25) { self.mixed(target) } else { self.alphanumeric(target) };
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            let mut candidates = vec![
                plain.clone(),
                self.alphanumeric(target).to_lowercase(),
                "abc".into(),
                "ABC".into(),
                "a".into(),
                "12345".into(),
                "1".into(),
                "abc123".into(),
                "a-b_c".into(),
                "user@example.com".into(),
                "https://example.com/x".into(),
                "2024-01-02".into(),
                "2024-01-02T03:04:05Z".into(),
                "550e8400-e29b-41d4-a716-446655440000".into(),
                "#ff00aa".into(),
                "+14155550100".into(),
                String::new(),
            ];
            candidates.retain(|c| fits(c));
            // An unusable pattern matches nothing; the plain string is as good as any.
            let matcher = pattern_matcher(pattern);
            if let Some(hit) = matcher.and_then(|m| {
                candidates
                    .into_iter()
                    .find(|c| m.is_valid(&Value::from(c.as_str())))
            }) {
                return Some(hit);
            }
        }
        Some(plain)
    }

    fn alphanumeric(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| CHARS[self.rng.below(CHARS.len())] as char)
            .collect()
    }

    /// `len` characters beyond the alphanumerics: spaces, punctuation,
    /// escapes JSON must write, accents, an emoji.
    fn mixed(&mut self, len: usize) -> String {
        const PIECES: &[char] =
            &['a', 'Z', '7', ' ', '-', '_', '.', '/', '"', '\\', '\n', '\t', '<', '&', '%', 'é', 'ß', 'Ж', '中', '😀'];
        (0..len).map(|_| PIECES[self.rng.below(PIECES.len())]).collect()
    }

    fn formatted(&mut self, format: &str) -> Option<String> {
        let n = self.rng.below(1000);
        Some(match format {
            "uri" | "iri" => format!("https://example.com/r/{n}"),
            "uri-reference" | "iri-reference" => format!("/r/{n}"),
            "uri-template" => format!("https://example.com/r/{{id}}/{n}"),
            "url" => format!("https://example.com/r/{n}"),
            "date-time" => format!("2024-0{}-1{}T03:04:05Z", 1 + n % 9, n % 10),
            "date" => format!("2024-0{}-1{}", 1 + n % 9, n % 10),
            "time" => format!("03:04:0{}Z", n % 10),
            "duration" => format!("PT{}S", n + 1),
            "email" | "idn-email" => format!("user{n}@example.com"),
            "hostname" | "idn-hostname" => format!("host{n}.example.com"),
            "ipv4" => format!("192.0.2.{}", n % 255),
            "ipv6" => format!("2001:db8::{:x}", n + 1),
            "uuid" => format!(
                "550e8400-e29b-41d4-a716-{:012x}",
                self.rng.next_u64() & 0xffff_ffff_ffff
            ),
            "byte" => {
                let bytes: Vec<u8> = (0..1 + n % 9).map(|_| self.rng.below(256) as u8).collect();
                base64_encode(&bytes)
            }
            "regex" => "^[a-z]+$".to_owned(),
            "json-pointer" => format!("/a/{n}"),
            "relative-json-pointer" => "0/a".to_owned(),
            _ => return None,
        })
    }

    fn number(&mut self, map: &Map<String, Value>, integer: bool) -> Option<Value> {
        let bounds = Bounds::of(map);
        let multiple = map
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0);
        if integer || multiple.is_some_and(|m| m.fract() == 0.0) {
            let (lo, hi) = bounds.integer_range()?;
            // Bounded like the range, so the arithmetic below cannot overflow.
            let step = multiple.map_or(1, |m| m.min(1e15) as i64).max(1);
            // First multiple of step at or above lo.
            let first =
                lo.div_euclid(step) * step + if lo.rem_euclid(step) == 0 { 0 } else { step };
            if first > hi {
                return None;
            }
            let count = ((hi - first) / step) as u64;
            // The edges of a declared range are where servers break: each
            // is chosen an eighth of the time; otherwise anywhere in it.
            let k = match self.rng.below(8) {
                0 if bounds.lo.is_some() => 0,
                1 if bounds.hi.is_some() => count,
                _ => self.rng.next_u64() % (count + 1),
            };
            return Some(Value::from(first + step * k as i64));
        }
        if let Some(m) = multiple {
            let lo = (bounds.lo.unwrap_or(0.0) / m).ceil() as i64;
            let v = (lo + self.rng.below(4) as i64) as f64 * m;
            return Number::from_f64(v)
                .map(Value::Number)
                .filter(|_| bounds.admits(v));
        }
        let (lo, hi) = bounds.float_range();
        match self.rng.below(8) {
            0 if bounds.lo.is_some() && !bounds.lo_exclusive => return Number::from_f64(lo).map(Value::Number),
            1 if bounds.hi.is_some() && !bounds.hi_exclusive => return Number::from_f64(hi).map(Value::Number),
            _ => {}
        }
        for _ in 0..8 {
            let f = lo + (hi - lo) * (self.rng.below(1000) as f64 + 0.5) / 1000.0;
            let f = (f * 100.0).round() / 100.0;
            if bounds.admits(f) {
                return Number::from_f64(f).map(Value::Number);
            }
        }
        Number::from_f64((lo + hi) / 2.0).map(Value::Number)
    }

    /// A small value of any type, for schemas that allow anything.
    fn anything(&mut self, depth: usize) -> Value {
        let pick = if depth >= SOFT_DEPTH {
            self.rng.below(4)
        } else {
            self.rng.below(7)
        };
        match pick {
            0 => Value::from(format!("any{}", self.rng.below(100))),
            1 => Value::from(self.rng.below(100) as u64),
            2 => Value::Bool(self.rng.chance(50)),
            3 => Value::Null,
            4 => Value::from(1.5),
            5 => Value::Object(Map::from_iter([("k".to_owned(), Value::from("v"))])),
            _ => Value::Array(vec![Value::from(1), Value::from("a")]),
        }
    }
}

/// Numeric bounds of a schema, with draft-04's boolean exclusive flags too.
struct Bounds {
    lo: Option<f64>,
    lo_exclusive: bool,
    hi: Option<f64>,
    hi_exclusive: bool,
}

impl Bounds {
    fn of(map: &Map<String, Value>) -> Self {
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        let flag = |k: &str| map.get(k) == Some(&Value::Bool(true));
        let mut b = Bounds {
            lo: num("minimum"),
            lo_exclusive: flag("exclusiveMinimum"),
            hi: num("maximum"),
            hi_exclusive: flag("exclusiveMaximum"),
        };
        if let Some(x) = num("exclusiveMinimum") {
            if b.lo.is_none_or(|lo| x >= lo) {
                b.lo = Some(x);
                b.lo_exclusive = true;
            }
        }
        if let Some(x) = num("exclusiveMaximum") {
            if b.hi.is_none_or(|hi| x <= hi) {
                b.hi = Some(x);
                b.hi_exclusive = true;
            }
        }
        b
    }

    fn admits(&self, v: f64) -> bool {
        let above = match self.lo {
            Some(lo) if self.lo_exclusive => v > lo,
            Some(lo) => v >= lo,
            None => true,
        };
        let below = match self.hi {
            Some(hi) if self.hi_exclusive => v < hi,
            Some(hi) => v <= hi,
            None => true,
        };
        above && below
    }

    fn integer_range(&self) -> Option<(i64, i64)> {
        // Far from i64's edges, so arithmetic below cannot overflow.
        const LIMIT: f64 = 1e15;
        let lo = match self.lo {
            Some(lo) => {
                let c = lo.ceil();
                if self.lo_exclusive && c == lo {
                    c + 1.0
                } else {
                    c
                }
            }
            None => match self.hi {
                Some(hi) => (hi - 100.0).floor().min(0.0),
                None => 0.0,
            },
        };
        let hi = match self.hi {
            Some(hi) => {
                let f = hi.floor();
                if self.hi_exclusive && f == hi {
                    f - 1.0
                } else {
                    f
                }
            }
            None => lo.max(0.0) + 100.0,
        };
        let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
        (lo <= hi).then_some((lo as i64, hi as i64))
    }

    fn float_range(&self) -> (f64, f64) {
        let lo = self
            .lo
            .unwrap_or_else(|| self.hi.map_or(0.0, |hi| hi - 100.0));
        let hi = self.hi.unwrap_or(lo + 100.0);
        (lo, hi)
    }
}

/// A validator accepting the strings that match `pattern` (ECMA-262 regex
/// as JSON Schema reads it), if the pattern compiles.
fn pattern_matcher(pattern: &str) -> Option<jsonschema::Validator> {
    let schema = serde_json::json!({ "type": "string", "pattern": pattern });
    jsonschema::options().offline().build(&schema).ok()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Mutator<'a> {
    root: &'a Value,
    /// Valid one-place variants instead of invalid ones.
    alternatives: bool,
}

impl Mutator<'_> {
    /// Variants of `value`, at most `budget`, each breaking `schema` once
    /// (or, for alternatives, each changing one enum choice or type).
    fn at(
        &self,
        schema: &Value,
        value: &Value,
        depth: usize,
        hops: usize,
        budget: usize,
    ) -> Vec<Edit> {
        let mut out = Vec::new();
        if budget == 0 || depth > HARD_DEPTH || hops > MAX_HOPS {
            return out;
        }
        let Some(schema) = effective(self.root, schema, hops) else {
            return out;
        };
        let Value::Object(map) = schema.as_ref() else {
            return out;
        };
        // Unions: the wrong type for every branch, then mutations through
        // the branch this value fits.
        let union = map
            .get("anyOf")
            .or_else(|| map.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(branches) = union {
            let mut rest = map.clone();
            rest.remove("anyOf");
            rest.remove("oneOf");
            let rest = Value::Object(rest);
            let resolved: Vec<Value> = branches
                .iter()
                .filter_map(|b| effective(self.root, b, hops + 1))
                .map(|b| merge(&b, &rest))
                .collect();
            let mut types: Vec<&str> = Vec::new();
            let mut all_typed = true;
            for branch in &resolved {
                match branch.as_object().and_then(declared_types) {
                    Some(ts) => types.extend(ts),
                    None => all_typed = false,
                }
            }
            if all_typed && !self.alternatives {
                out.extend(wrong_types(&types).into_iter().map(Edit::here));
            }
            if let Some(branch) = resolved.iter().find(|b| self.fits(b, value, hops)) {
                let remaining = budget.saturating_sub(out.len());
                out.extend(self.at(branch, value, depth, hops + 1, remaining));
            }
            out.truncate(budget);
            return out;
        }
        let mut here = Vec::new();
        if self.alternatives {
            self.other_choices(map, value, &mut here);
        } else {
            // The breaks of this place's own keywords first, then the wrong
            // types: with a small share of the budget, bounds and formats
            // must not be crowded out by the same few wrong types.
            if let Some(c) = map.get("const") {
                here.push(different(c));
            }
            if let Some(options) = map.get("enum").and_then(Value::as_array) {
                here.push(outside(options, value));
            }
            match value {
                Value::String(s) => string_mutations(map, s, &mut here),
                Value::Number(n) => number_mutations(map, n, &mut here),
                _ => {}
            }
            if let Some(types) = declared_types(map) {
                here.extend(wrong_types(&types));
            }
        }
        out.extend(here.into_iter().map(Edit::here));
        match value {
            Value::Object(object) => self.object(map, object, depth, hops, budget, &mut out),
            Value::Array(items) => self.array(map, items, depth, hops, budget, &mut out),
            _ => {}
        }
        out.truncate(budget);
        out
    }

    fn object(
        &self,
        map: &Map<String, Value>,
        object: &Map<String, Value>,
        depth: usize,
        hops: usize,
        budget: usize,
        out: &mut Vec<Edit>,
    ) {
        let properties = map.get("properties").and_then(Value::as_object);
        let additional = map.get("additionalProperties");
        if !self.alternatives {
            self.object_breaks(map, object, properties, additional, hops, out);
        }
        // Then one level down, each property in turn, sharing what is left of the budget.
        for (name, child) in object {
            if out.len() >= budget {
                return;
            }
            let child_schema = match properties.and_then(|p| p.get(name)) {
                Some(s) => s,
                None => match additional {
                    Some(s @ Value::Object(_)) => s,
                    _ => continue,
                },
            };
            let share = ((budget - out.len()) / 2).max(4).min(budget - out.len());
            for variant in self.at(child_schema, child, depth + 1, 0, share) {
                out.push(variant.under(Step::Key(name.clone())));
            }
        }
    }

    /// Breaks of the object itself: a required property dropped, an
    /// unexpected or wrongly typed extra property.
    fn object_breaks(
        &self,
        map: &Map<String, Value>,
        object: &Map<String, Value>,
        properties: Option<&Map<String, Value>>,
        additional: Option<&Value>,
        hops: usize,
        out: &mut Vec<Edit>,
    ) {
        let required = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for name in required.filter_map(Value::as_str) {
            if object.contains_key(name) {
                out.push(Edit {
                    path: Vec::new(),
                    change: Change::Remove(name.to_owned()),
                });
            }
        }
        match additional {
            Some(Value::Bool(false)) => {
                out.push(Edit {
                    path: Vec::new(),
                    change: Change::Insert(unused_key(object, properties), Value::from(1)),
                });
            }
            Some(schema @ Value::Object(_)) => {
                let declared = effective(self.root, schema, hops + 1);
                let types = declared
                    .as_deref()
                    .and_then(Value::as_object)
                    .and_then(declared_types);
                if let Some(bad) = types.and_then(|ts| wrong_types(&ts).into_iter().next()) {
                    out.push(Edit {
                        path: Vec::new(),
                        change: Change::Insert(unused_key(object, properties), bad),
                    });
                }
            }
            _ => {}
        }
    }

    fn array(
        &self,
        map: &Map<String, Value>,
        items: &[Value],
        depth: usize,
        hops: usize,
        budget: usize,
        out: &mut Vec<Edit>,
    ) {
        let item_schema = match (map.get("prefixItems"), map.get("items")) {
            (None, Some(s @ (Value::Object(_) | Value::Bool(_)))) => Some(s),
            _ => None,
        };
        if !self.alternatives {
            let mut breaks = Vec::new();
            self.array_breaks(map, items, item_schema, hops, &mut breaks);
            out.extend(breaks.into_iter().map(Edit::here));
        }
        let Some(item_schema) = item_schema else {
            return;
        };
        // The first two items are enough to reach every place of a homogeneous array.
        for (index, item) in items.iter().enumerate().take(2) {
            if out.len() >= budget {
                return;
            }
            let share = ((budget - out.len()) / 2).max(4).min(budget - out.len());
            for variant in self.at(item_schema, item, depth + 1, 0, share) {
                out.push(variant.under(Step::Index(index)));
            }
        }
    }

    /// Breaks of the array itself: too few or too many items, a duplicate,
    /// a wrongly typed first item.
    fn array_breaks(
        &self,
        map: &Map<String, Value>,
        items: &[Value],
        item_schema: Option<&Value>,
        hops: usize,
        out: &mut Vec<Value>,
    ) {
        let min = map.get("minItems").and_then(Value::as_u64);
        if let Some(min) = min.filter(|m| *m > 0 && items.len() as u64 >= *m) {
            out.push(Value::Array(items[..min as usize - 1].to_vec()));
        }
        if let Some(max) = map.get("maxItems").and_then(Value::as_u64) {
            let filler = items
                .first()
                .cloned()
                .or_else(|| item_schema.and_then(|s| valid(self.root, s, 0)));
            if let Some(filler) = filler.filter(|_| max < MAX_SIZE as u64) {
                let mut longer = items.to_vec();
                while (longer.len() as u64) <= max {
                    longer.push(filler.clone());
                }
                out.push(Value::Array(longer));
            }
        }
        if map.get("uniqueItems") == Some(&Value::Bool(true)) {
            if let Some(first) = items.first() {
                let mut doubled = items.to_vec();
                doubled.push(first.clone());
                out.push(Value::Array(doubled));
            }
        }
        if let (true, Some(item_schema)) = (items.is_empty(), item_schema) {
            let declared = effective(self.root, item_schema, hops + 1);
            let types = declared
                .as_deref()
                .and_then(Value::as_object)
                .and_then(declared_types);
            if let Some(bad) = types.and_then(|ts| wrong_types(&ts).into_iter().next()) {
                out.push(Value::Array(vec![bad]));
            }
        }
    }

    /// The other valid choices at this place: every other enum value, and a
    /// value of each other type in a `type` list.
    fn other_choices(&self, map: &Map<String, Value>, value: &Value, out: &mut Vec<Value>) {
        if map.contains_key("const") {
            return;
        }
        if let Some(options) = map.get("enum").and_then(Value::as_array) {
            let types = declared_types(map);
            out.extend(
                options
                    .iter()
                    .filter(|o| *o != value && types.as_ref().is_none_or(|ts| has_type(ts, o)))
                    .cloned(),
            );
            return;
        }
        let Some(types) = declared_types(map).filter(|ts| ts.len() > 1) else {
            return;
        };
        let current = type_of(value);
        let mut generator = Generator {
            root: self.root,
            rng: Rng::new(0),
            optional: Optional::None,
        };
        for ty in types {
            if ty == current || (ty == "number" && current == "integer") {
                continue;
            }
            let mut only = map.clone();
            only.insert("type".to_owned(), Value::from(ty));
            out.extend(generator.value(&Value::Object(only), SOFT_DEPTH, 0));
        }
    }

    /// Would `value` plausibly match `branch` (already effective)? Looks one
    /// level deep: type, const, enum, required properties, and the const,
    /// enum and type of each property present.
    fn fits(&self, branch: &Value, value: &Value, hops: usize) -> bool {
        let Some(map) = branch.as_object() else {
            return *branch == Value::Bool(true);
        };
        if let Some(types) = declared_types(map) {
            if !has_type(&types, value) {
                return false;
            }
        }
        if map.get("const").is_some_and(|c| c != value) {
            return false;
        }
        if map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|options| !options.contains(value))
        {
            return false;
        }
        let Value::Object(object) = value else {
            return true;
        };
        let required = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        if required
            .filter_map(Value::as_str)
            .any(|name| !object.contains_key(name))
        {
            return false;
        }
        let properties = map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten();
        for (name, schema) in properties {
            let Some(v) = object.get(name) else { continue };
            let resolved = effective(self.root, schema, hops + 1);
            let Some(Value::Object(property)) = resolved.as_deref() else {
                continue;
            };
            if property.get("const").is_some_and(|c| c != v) {
                return false;
            }
            let options = property.get("enum").and_then(Value::as_array);
            if options.is_some_and(|options| !options.contains(v)) {
                return false;
            }
            if declared_types(property).is_some_and(|types| !has_type(&types, v)) {
                return false;
            }
        }
        true
    }
}

/// A property name neither present nor declared.
fn unused_key(object: &Map<String, Value>, properties: Option<&Map<String, Value>>) -> String {
    (0..)
        .map(|i| {
            if i == 0 {
                "unexpected".to_owned()
            } else {
                format!("unexpected{i}")
            }
        })
        .find(|k| !object.contains_key(k) && !properties.is_some_and(|p| p.contains_key(k)))
        .unwrap_or_default()
}

/// One value of each JSON type none of `types` admits; a fractional number
/// comes first where only integers are admitted.
fn wrong_types(types: &[&str]) -> Vec<Value> {
    if types.is_empty() {
        return Vec::new();
    }
    let candidates = [
        Value::from("mutant"),
        Value::from(12345),
        Value::Bool(true),
        Value::Null,
        Value::Array(Vec::new()),
        Value::Object(Map::new()),
        Value::from(1.5),
    ];
    let mut out: Vec<Value> = candidates
        .into_iter()
        .filter(|c| !has_type(types, c))
        .collect();
    if types.contains(&"integer") && !types.contains(&"number") {
        out.rotate_right(1);
    }
    out
}

/// A value of the same type as `c`, but different.
fn different(c: &Value) -> Value {
    match c {
        Value::String(s) => Value::from(format!("{s}-mutant")),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i.wrapping_add(1)),
            None => Value::from(n.as_f64().unwrap_or(0.0) + 1.0),
        },
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => Value::from("mutant"),
        Value::Array(_) | Value::Object(_) => Value::Null,
    }
}

/// A value of the same type as `current`, outside `options`.
fn outside(options: &[Value], current: &Value) -> Value {
    let base = match current {
        Value::String(s) => format!("{s}-mutant"),
        _ => "not-in-enum".to_owned(),
    };
    let mut candidate = match current {
        Value::Number(_) => Value::from(-987_654),
        Value::Bool(b) => Value::Bool(!b),
        _ => Value::from(base.clone()),
    };
    let mut n = 0;
    while options.contains(&candidate) {
        n += 1;
        candidate = Value::from(format!("{base}{n}"));
    }
    candidate
}

fn string_mutations(map: &Map<String, Value>, s: &str, out: &mut Vec<Value>) {
    let len = s.chars().count();
    if let Some(min) = map
        .get("minLength")
        .and_then(Value::as_u64)
        .filter(|m| *m > 0)
    {
        out.push(Value::from(
            s.chars().take(min as usize - 1).collect::<String>(),
        ));
    }
    if let Some(max) = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .filter(|m| *m < MAX_SIZE as u64)
    {
        let mut longer = s.to_owned();
        while (longer.chars().count() as u64) <= max {
            longer.push('x');
        }
        if len as u64 <= max {
            out.push(Value::from(longer));
        }
    }
    let broken = match map.get("format").and_then(Value::as_str) {
        Some("uri" | "iri" | "url") => Some("not a uri"),
        Some("uri-reference" | "iri-reference") => Some("not a uri reference \\ ^"),
        Some("uri-template") => Some("https://example.com/{unclosed"),
        Some("date-time") => Some("yesterday at noon"),
        Some("date") => Some("2024-13-45"),
        Some("time") => Some("25:99"),
        Some("email" | "idn-email") => Some("not-an-email"),
        Some("hostname" | "idn-hostname") => Some("not a hostname!"),
        Some("ipv4") => Some("999.1.1.1"),
        Some("ipv6") => Some("not:an:ipv6::::"),
        Some("uuid") => Some("not-a-uuid"),
        Some("byte") => Some("not base64!"),
        Some("duration") => Some("five minutes"),
        _ => None,
    };
    out.extend(broken.map(Value::from));
}

fn number_mutations(map: &Map<String, Value>, n: &Number, out: &mut Vec<Value>) {
    let b = Bounds::of(map);
    let integral = map
        .get("type")
        .is_some_and(|t| types_of(t).contains(&"integer") && !types_of(t).contains(&"number"));
    let step = if integral || n.is_i64() || n.is_u64() {
        1.0
    } else {
        0.5
    };
    let push = |out: &mut Vec<Value>, v: f64| {
        if (v.fract() == 0.0) && v.abs() < 1e15 {
            out.push(Value::from(v as i64));
        } else if let Some(num) = Number::from_f64(v) {
            out.push(Value::Number(num));
        }
    };
    if let Some(lo) = b.lo {
        push(out, if b.lo_exclusive { lo } else { lo - step });
    }
    if let Some(hi) = b.hi {
        push(out, if b.hi_exclusive { hi } else { hi + step });
    }
    if let Some(m) = map
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|m| *m > 0.0)
    {
        if let Some(v) = n.as_f64() {
            let off = if m > 1.0 { 1.0 } else { m / 2.0 };
            push(out, v + off);
        }
    }
}

#[cfg(test)]
mod tests;
