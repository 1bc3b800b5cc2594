//! The whole experiment in the page's URL hash: opening the link reproduces the run bit for bit,
//! and `converge run --url LINK` reproduces it natively.
//!
//! A typical hash (shown without the leading `#`):
//!
//! ```text
//! problem=rosenbrock(b=50)&run=adam:Adam(lr=0.01)@-1.5,2~StepLR(gamma=0.5,step_size=10)!1f77b4&run=sgd:SGD(lr=0.005,momentum=0.9)@-1.5,2&stop=loss_plateau:null,max_steps:3000&seed=1
//! ```
//!
//! It is the JSON config
//! `{"problem": {"name": "rosenbrock", "b": 50}, "runs": [{"label": "adam", "x0": [-1.5, 2],
//! "optimizer": {"name": "Adam", "lr": 0.01}, "schedule": {"name": "StepLR", "step_size": 10,
//! "gamma": 0.5}, "color": "#1f77b4"}, {"label": "sgd", ...}], "stop": {"max_steps": 3000,
//! "loss_plateau": null}, "seed": 1}`. The most common experiment is short:
//! `problem=rosenbrock&run=adam:Adam(lr=0.01)@-1.5,2`.
//!
//! # Grammar
//!
//! ```text
//! hash    = part *("&" part)                   parts in any order; "run" repeats, in run order
//! part    = "problem=" config
//!         | "run=" label ":" config ["@" values] ["~" config] ["!" color]
//!         | "stop=" [entry *("," entry)]
//!         | "seed=" value
//!         | "search=" value                     the hyperparameter search (`crate::search`)
//!         | "analysis=" value                   the analyses to run (`crate::analysis::section`)
//! config  = Name | value                       a bare Name is short for Name()
//! value   = number | "null" | "true" | "false" | ident | "'" text "'"
//!         | Name "(" [field *("," field)] ")"  an object tagged {"name": "Name", ...}
//!         | "(" field *("," field) ")"         an object without a tag
//!         | "(" [value *(";" value)] ")"       an array, "()" when empty; "[" ... "]" is read too
//! field   = key "=" value
//! entry   = key *("." key) ":" value           a path into the stop rule, e.g. grad_norm.tol:1e-6
//! values  = value *("," value)                 the start point x0
//! color   = 1*(ALPHA / DIGIT) | "'" text "'"   !1f77b4 is the color "#1f77b4"
//! ```
//!
//! - `label`, `key` and `text` are percent-encoded UTF-8: the encoder keeps ASCII letters, digits
//!   and `_` (plus `-` and `.` outside keys) and writes every other byte as `%XX`, so a label
//!   like `a<b>&"c"` becomes `a%3Cb%3E%26%22c%22`. The decoder also accepts raw characters in a
//!   label, as a browser may show them.
//! - `ident` is `[A-Za-z_][A-Za-z0-9_]*` and stands for the string itself (`variant=paper`);
//!   any other string is quoted, as in `'two%20words'`.
//! - Numbers are written in Rust's shortest round-trip form with a trailing `.0` dropped (`0.01`,
//!   `1e-8`, `100`, `2.0000000000000003e-6`) and read with `str::parse`, so every `f64` comes
//!   back bit for bit. Digits alone, with or without a `-`, are read as an integer (counts and
//!   the seed need one) unless they do not fit 64 bits; `-0` is read as the float `-0.0`.
//! - A field equal to its default is left out, whatever its depth: `Adam(lr=0.01)` rather than
//!   the full list of Adam's hyperparameters. A field is left out exactly when deserializing the
//!   config without it gives back the same config. The constant schedule, the default stop rule
//!   and the seed 0 are left out entirely, as is `x0` when the problem's default start is used.
//!   Objects are written with their fields in alphabetical order.
//! - The stop rule lists only what differs from the default: `stop=max_steps:3000` changes the
//!   step limit, `grad_norm.tol:1e-6` one tolerance, `loss_plateau:null` switches a criterion
//!   off, and `target_loss.value:0.001` switches one on.
//!
//! The output uses only characters that RFC 3986 allows unescaped in a fragment: letters,
//! digits, `-._~`, `%` escapes and `& = : , ; ( ) @ ! '`. Arrays use parentheses rather than
//! brackets because `[` and `]` are not allowed in a fragment and strict URL parsers reject
//! them; an array and an object are told apart by the `=` after a key. Empty parts (`&&`) are
//! ignored when reading. A hash longer than `limits::MAX_HASH_BYTES`, values nested more than
//! `limits::MAX_URL_NESTING` parentheses deep and dotted keys of more parts are rejected.
//!
//! The page's first link format, `config=` followed by the percent-encoded JSON config and
//! nothing else, is still read (old links), with the same validation.
//!
//! Decoding builds the JSON value of the config and deserializes it exactly as a JSON config
//! file is deserialized, so an unknown optimizer, an unknown field or a string where a number
//! belongs gives the same message and path as in a JSON file (`runs[0].optimizer: unknown field
//! `lrr`, expected one of ...`). [`Experiment::validate`] then reports every value problem with
//! its path (`runs[0].optimizer.lr: must be >= 0, got -1`). A syntax error names the part and
//! the character, counted from 1 at the start of the part:
//! `hash: run #2: expected ')' at character 17, found the end`.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use crate::config::validate::ValidationErrors;
use crate::config::{Experiment, RunConfig};
use crate::schedule::ScheduleConfig;

/// Deepest nesting of parentheses the decoder follows, and the most keys of a dotted stop
/// entry. Both keep the decoded value shallow, so every recursion over it (deserialization,
/// cloning, dropping, locating an error) stays bounded whatever the hash.
const MAX_DEPTH: usize = crate::config::limits::MAX_URL_NESTING;

/// The path under which syntax errors are reported.
const HASH_PATH: &str = "hash";

/// Writes the experiment as a URL hash, without the leading `#`.
///
/// The experiment should be valid; an invalid one is encoded faithfully, except that numbers
/// which are not finite cannot be represented and are written as `null`, which fails decoding.
pub fn encode(experiment: &Experiment) -> String {
    let mut parts = Vec::with_capacity(experiment.runs.len() + 3);
    let pruned = pruned(experiment);
    parts.push(format!("problem={}", write_config(&pruned["problem"])));
    for (i, run) in experiment.runs.iter().enumerate() {
        parts.push(format!("run={}", encode_run(run, &pruned["runs"][i])));
    }
    let mut entries = Vec::new();
    if let Some(stop) = pruned.get("stop") {
        flatten_entries(stop, "", &mut entries);
    }
    if !entries.is_empty() {
        parts.push(format!("stop={}", entries.join(",")));
    }
    if experiment.seed != 0 {
        parts.push(format!("seed={}", experiment.seed));
    }
    if let Some(search) = pruned.get("search") {
        parts.push(format!("search={}", write_value(search)));
    }
    if let Some(analysis) = pruned.get("analysis") {
        parts.push(format!("analysis={}", write_value(analysis)));
    }
    if let Some(view) = &experiment.view {
        let numbers: Vec<String> = view
            .x
            .iter()
            .chain(&view.y)
            .map(|c| Number::from_f64(*c).map_or("nan".into(), |n| write_number(&n)))
            .collect();
        parts.push(format!("view={}", numbers.join(",")));
    }
    parts.join("&")
}

/// Reads an experiment from a full link (the part after `#` is used), from `#...` or from the
/// bare hash, and validates it.
///
/// Every problem found is returned with its path: `hash` for syntax errors, the config path
/// (`runs[0].optimizer.lr`) for everything else. Decoding never panics, whatever the input.
pub fn decode(link_or_hash: &str) -> Result<Experiment, ValidationErrors> {
    crate::config::limits::check_len(HASH_PATH, link_or_hash, crate::config::limits::MAX_HASH_BYTES)?;
    let hash = hash_of(link_or_hash)?;
    let value = match hash.strip_prefix(LEGACY_KEY).filter(|rest| !rest.contains('&')) {
        Some(encoded) => parse_legacy(encoded)?,
        None => parse_hash(hash)?,
    };
    let experiment = Experiment::from_value(value)?;
    experiment.validate()?;
    Ok(experiment)
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// Writes one run: `label:Optimizer(...)@x0~Schedule(...)!color`; `pruned` is the run's JSON
/// value without its default fields.
fn encode_run(run: &RunConfig, pruned: &Value) -> String {
    let mut out = escape(&run.label, is_text_byte);
    out.push(':');
    out.push_str(&write_config(&pruned["optimizer"]));
    if let Some(x0) = &run.x0 {
        out.push('@');
        let items: Vec<String> = x0.iter().map(|&x| write_value(&float_value(x))).collect();
        out.push_str(&items.join(","));
    }
    if run.schedule != ScheduleConfig::default() {
        out.push('~');
        out.push_str(&write_config(pruned.get("schedule").unwrap_or(&Value::Null)));
    }
    if let Some(color) = &run.color {
        out.push('!');
        match color.strip_prefix('#') {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_alphanumeric()) => out.push_str(hex),
            _ => out.push_str(&write_string(color, true)),
        }
    }
    out
}

/// The JSON value of `experiment` with every field left out that deserialization restores.
///
/// Fields are tried one at a time, outer objects first: a field goes when deserializing the
/// remaining value as an experiment and serializing it again gives the full value back, bit for
/// bit. (Always the whole experiment, through the reader `Experiment::from_value` uses, so that
/// the wasm binary carries one copy of the deserialization code.) A field that stays is then searched for removable fields of its own, so `inner=Adam(lr=0.1)`
/// loses Adam's defaults too. An object without a `name` tag below the top keeps its last
/// field, because an empty object would read back as an empty array.
fn pruned(experiment: &Experiment) -> Value {
    let full = experiment.to_value();
    let mut current = full.clone();
    let mut path = Vec::new();
    prune_at(&full, &mut current, &mut path);
    current
}

/// One step of a path into a JSON value.
enum Step {
    /// A field of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// The value at `path` inside `root`, if there is one.
fn node_mut<'v>(root: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut node = root;
    for step in path {
        node = match (step, node) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Removes from the value at `path` inside `current` every field that `T`'s deserialization
/// restores, then does the same inside the fields and array elements that remain.
fn prune_at(full: &Value, current: &mut Value, path: &mut Vec<Step>) {
    let (keys, length) = match node_mut(current, path) {
        Some(Value::Object(map)) => (map.keys().cloned().collect::<Vec<_>>(), 0),
        Some(Value::Array(items)) => (Vec::new(), items.len()),
        _ => return,
    };
    for key in keys {
        // The field is taken out in place and put back if the experiment needs it (the map keeps
        // its keys sorted, so putting it back restores the same value): no copy of the whole
        // value per field tried.
        let taken = match node_mut(current, path) {
            Some(Value::Object(map)) => {
                // Below the config objects (problem, runs[i], stop), an untagged object keeps its
                // last field: an empty object would read back as an empty array.
                let keeps_last = path.len() > 1 && !map.contains_key("name") && map.len() == 1;
                if keeps_last {
                    None
                } else {
                    map.remove(&key)
                }
            }
            _ => None,
        };
        if let Some(value) = taken {
            if rebuilds(current, full) {
                continue;
            }
            if let Some(Value::Object(map)) = node_mut(current, path) {
                map.insert(key.clone(), value);
            }
        }
        path.push(Step::Key(key));
        prune_at(full, current, path);
        path.pop();
    }
    for i in 0..length {
        path.push(Step::Index(i));
        prune_at(full, current, path);
        path.pop();
    }
}

/// True when `candidate`, read as an experiment and written again, is exactly `full`.
fn rebuilds(candidate: &Value, full: &Value) -> bool {
    crate::config::reader::from_value::<Experiment>(candidate).is_ok_and(|e| same(&e.to_value(), full))
}

/// Equality of JSON values that tells floats apart by their bits (so `-0.0` differs from
/// `0.0`), where `serde_json`'s own equality compares them as numbers.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if x.is_f64() && y.is_f64() {
                x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
            } else {
                x == y
            }
        }
        (Value::Array(xs), Value::Array(ys)) => xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y)),
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(key, x)| ys.get(key).is_some_and(|y| same(x, y)))
        }
        _ => a == b,
    }
}

/// Appends `key:value` for every leaf of the stop rule, with dotted paths into nested objects.
fn flatten_entries(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, item) in map {
        let key = escape(key, is_key_byte);
        let path = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
        match item {
            Value::Object(inner) if !inner.is_empty() && !inner.contains_key("name") => {
                flatten_entries(item, &path, out);
            }
            _ => out.push(format!("{path}:{}", write_value(item))),
        }
    }
}

/// A float as a JSON number, or `null` when it is not finite.
fn float_value(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// Writes a config in a slot of its own (the problem, an optimizer, a schedule), where a tagged
/// object without fields is written as its bare name.
fn write_config(value: &Value) -> String {
    if let Value::Object(map) = value {
        if let (1, Some(Value::String(name))) = (map.len(), map.get("name")) {
            if is_ident(name) && !is_keyword(name) {
                return name.clone();
            }
        }
    }
    write_value(value)
}

/// Writes any JSON value in the grammar of the module header.
fn write_value(value: &Value) -> String {
    let mut out = String::new();
    push_value(value, &mut out);
    out
}

/// Appends `value` to `out`.
fn push_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&write_number(n)),
        Value::String(s) => out.push_str(&write_string(s, false)),
        Value::Array(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(';');
                }
                push_value(item, out);
            }
            out.push(')');
        }
        Value::Object(map) => {
            let tag = match map.get("name") {
                Some(Value::String(name)) if is_ident(name) => Some(name),
                _ => None,
            };
            if let Some(name) = tag {
                out.push_str(name);
            }
            out.push('(');
            let fields = map.iter().filter(|(key, _)| tag.is_none() || key.as_str() != "name");
            for (i, (key, item)) in fields.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&escape(key, is_key_byte));
                out.push('=');
                push_value(item, out);
            }
            out.push(')');
        }
    }
}

/// Writes a JSON number: integers as they are, floats in Rust's shortest round-trip form
/// without a trailing `.0`.
fn write_number(n: &Number) -> String {
    if let Some(u) = n.as_u64() {
        u.to_string()
    } else if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(x) = n.as_f64() {
        let text = format!("{x:?}");
        match text.strip_suffix(".0") {
            Some(short) => short.to_string(),
            None => text,
        }
    } else {
        "null".to_string()
    }
}

/// Writes a string bare when it is an identifier (and `always_quote` is false), else quoted and
/// percent-encoded.
fn write_string(s: &str, always_quote: bool) -> String {
    if !always_quote && is_ident(s) && !is_keyword(s) {
        s.to_string()
    } else {
        format!("'{}'", escape(s, is_text_byte))
    }
}

/// Percent-encodes every byte of `s` for which `keep` is false.
fn escape(s: &str, keep: fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Bytes written as they are in labels and quoted strings.
fn is_text_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Bytes written as they are in field names.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_char)
}

/// True for the identifiers that stand for JSON literals rather than strings.
fn is_keyword(s: &str) -> bool {
    matches!(s, "null" | "true" | "false")
}

/// True for a character that can begin an identifier.
fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// True for a character that can continue an identifier.
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/// The hash inside a link, `#...` or bare hash, checked to be non-empty.
fn hash_of(link_or_hash: &str) -> Result<&str, ValidationErrors> {
    let text = link_or_hash.trim();
    let hash = match text.split_once('#') {
        Some((_, hash)) => hash,
        None if text.contains("://") => {
            return Err(ValidationErrors::one(HASH_PATH, "the link has no '#' part holding an experiment"));
        }
        None => text,
    };
    if hash.is_empty() {
        return Err(ValidationErrors::one(
            HASH_PATH,
            "is empty; expected something like problem=rosenbrock&run=adam:Adam(lr=0.01)",
        ));
    }
    Ok(hash)
}

/// The key of the page's first link format, `config=` and the percent-encoded JSON config as
/// the only part, which old links still carry.
const LEGACY_KEY: &str = "config=";

/// The JSON value of a link of the first format (`LEGACY_KEY`).
fn parse_legacy(encoded: &str) -> Result<Value, ValidationErrors> {
    let cut_short = |what: String| ValidationErrors::one(HASH_PATH, format!("{what}; was the link cut short?"));
    let json = decode_text(encoded).map_err(|(at, e)| {
        cut_short(format!("the config in the link is not correctly percent-encoded ({e} at byte {at})"))
    })?;
    crate::config::reader::parse_json(&json)
        .map_err(|e| cut_short(format!("the config in the link is not valid JSON ({e})")))
}

/// A syntax error, already worded with its position.
struct SyntaxError(String);

/// The JSON value of the experiment written in `hash`.
fn parse_hash(hash: &str) -> Result<Value, ValidationErrors> {
    let syntax = |part: &str, e: SyntaxError| ValidationErrors::one(HASH_PATH, format!("{part}: {}", e.0));
    let twice = |key: &str| ValidationErrors::one(HASH_PATH, format!("{key}= is given twice"));
    let mut problem = None;
    let mut runs = Vec::new();
    let mut stop = None;
    let mut seed = None;
    let mut view = None;
    let mut search = None;
    let mut analysis = None;
    for part in hash.split('&').filter(|part| !part.is_empty()) {
        let Some((key, _)) = part.split_once('=') else {
            return Err(ValidationErrors::one(
                HASH_PATH,
                format!("part \"{}\" has no '='; expected problem=, run=, stop= or seed=", preview(part)),
            ));
        };
        let mut parser = Parser { text: part, pos: key.len() + 1 };
        match key {
            "problem" if problem.is_some() => return Err(twice(key)),
            "problem" => problem = Some(parser.whole_config().map_err(|e| syntax(key, e))?),
            "run" => {
                let name = format!("run #{}", runs.len() + 1);
                runs.push(parser.run().map_err(|e| syntax(&name, e))?);
            }
            "stop" if stop.is_some() => return Err(twice(key)),
            "stop" => stop = Some(parser.stop().map_err(|e| syntax(key, e))?),
            "seed" if seed.is_some() => return Err(twice(key)),
            "seed" => seed = Some(parser.whole_value().map_err(|e| syntax(key, e))?),
            "search" if search.is_some() => return Err(twice(key)),
            "search" => search = Some(parser.whole_value().map_err(|e| syntax(key, e))?),
            "analysis" if analysis.is_some() => return Err(twice(key)),
            "analysis" => analysis = Some(parser.whole_value().map_err(|e| syntax(key, e))?),
            "view" if view.is_some() => return Err(twice(key)),
            "view" => view = Some(parse_view(&part[key.len() + 1..]).map_err(|e| syntax(key, e))?),
            _ => {
                return Err(ValidationErrors::one(
                    HASH_PATH,
                    format!(
                        "unknown part \"{}=\"; expected problem=, run=, stop=, seed=, search=, analysis= or view=",
                        preview(key)
                    ),
                ));
            }
        }
    }
    let mut root = Map::new();
    if let Some(problem) = problem {
        root.insert("problem".to_string(), problem);
    }
    root.insert("runs".to_string(), Value::Array(runs));
    if let Some(stop) = stop {
        root.insert("stop".to_string(), stop);
    }
    if let Some(seed) = seed {
        root.insert("seed".to_string(), seed);
    }
    if let Some(view) = view {
        root.insert("view".to_string(), view);
    }
    if let Some(search) = search {
        root.insert("search".to_string(), search);
    }
    if let Some(analysis) = analysis {
        root.insert("analysis".to_string(), analysis);
    }
    Ok(Value::Object(root))
}

/// `view=x0,x1,y0,y1` as `{"x": [x0, x1], "y": [y0, y1]}`.
fn parse_view(text: &str) -> Result<Value, SyntaxError> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|t| t.parse::<f64>().map_err(|_| SyntaxError(format!("\"{}\" is not a number", preview(t)))))
        .collect::<Result<_, _>>()?;
    match numbers.as_slice() {
        [x0, x1, y0, y1] => Ok(serde_json::json!({"x": [x0, x1], "y": [y0, y1]})),
        _ => Err(SyntaxError(format!("expected 4 numbers x0,x1,y0,y1, got {}", numbers.len()))),
    }
}

/// The first 40 characters of `text`, for messages about arbitrary input.
fn preview(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        out.push_str("...");
    }
    out
}

/// A cursor over one part of the hash (`run=...`); positions are byte offsets into the part.
struct Parser<'a> {
    /// The whole part, key included, so that positions count from its start.
    text: &'a str,
    /// The byte offset of the next character, always on a character boundary.
    pos: usize,
}

impl<'a> Parser<'a> {
    /// The next character, if any.
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|rest| rest.chars().next())
    }

    /// Consumes and returns the next character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consumes `c` if it comes next.
    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    /// Consumes `c`, which must come next.
    fn consume(&mut self, c: char) -> Result<(), SyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{c}'")))
        }
    }

    /// The 1-based character number of byte offset `pos` in the part.
    fn character(&self, pos: usize) -> usize {
        self.text.get(..pos).map_or(0, |before| before.chars().count()) + 1
    }

    /// An error about the text at byte offset `pos`.
    fn fail(&self, pos: usize, message: &str) -> SyntaxError {
        SyntaxError(format!("{message} at character {}", self.character(pos)))
    }

    /// An error saying that `what` was expected at the current position, and what came instead.
    fn expected(&self, what: &str) -> SyntaxError {
        let found = match self.peek() {
            Some(c) => format!("found '{c}'"),
            None => "found the end".to_string(),
        };
        SyntaxError(format!("expected {what} at character {}, {found}", self.character(self.pos)))
    }

    /// Requires the end of the part.
    fn end(&self, what: &str) -> Result<(), SyntaxError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.expected(what)),
        }
    }

    /// Consumes characters while `keep` holds and returns them.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
        // Both ends are character boundaries (`bump` moves by whole characters), so the slice
        // always exists; the empty default is never taken.
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// A config filling the rest of the part (`problem=`).
    fn whole_config(&mut self) -> Result<Value, SyntaxError> {
        let value = self.config()?;
        self.end("the end of the problem")?;
        Ok(value)
    }

    /// A value filling the rest of the part (`seed=`).
    fn whole_value(&mut self) -> Result<Value, SyntaxError> {
        let value = self.value(0)?;
        self.end("the end of the seed")?;
        Ok(value)
    }

    /// A config in a slot of its own, where a bare `Name` stands for `{"name": "Name"}`.
    fn config(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        if self.peek().is_some_and(is_ident_start) {
            let name = self.take_while(is_ident_char).to_string();
            if self.peek() != Some('(') && !is_keyword(&name) {
                let mut map = Map::new();
                map.insert("name".to_string(), Value::String(name));
                return Ok(Value::Object(map));
            }
            self.pos = start;
        }
        self.value(0)
    }

    /// A run: `label:Optimizer(...)`, then `@x0`, `~Schedule(...)` and `!color` in any order,
    /// each at most once.
    fn run(&mut self) -> Result<Value, SyntaxError> {
        let label_start = self.pos;
        let raw_label = self.take_while(|c| c != ':');
        let label = decode_text(raw_label).map_err(|(offset, message)| self.fail(label_start + offset, &message))?;
        self.consume(':')?;
        let mut run = Map::new();
        run.insert("label".to_string(), Value::String(label));
        run.insert("optimizer".to_string(), self.config()?);
        loop {
            let start = self.pos;
            let (field, value) = match self.peek() {
                None => break,
                Some('@') => {
                    self.bump();
                    ("x0", self.x0()?)
                }
                Some('~') => {
                    self.bump();
                    ("schedule", self.config()?)
                }
                Some('!') => {
                    self.bump();
                    ("color", self.color()?)
                }
                Some(_) => return Err(self.expected("'@', '~', '!' or the end of the run")),
            };
            if run.insert(field.to_string(), value).is_some() {
                return Err(self.fail(start, &format!("{field} is given twice")));
            }
        }
        Ok(Value::Object(run))
    }

    /// The start point after `@`: values separated by `,`, possibly none.
    fn x0(&mut self) -> Result<Value, SyntaxError> {
        let mut items = Vec::new();
        if matches!(self.peek(), None | Some('~' | '!' | '@')) {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(1)?);
            if !self.eat(',') {
                return Ok(Value::Array(items));
            }
        }
    }

    /// A color after `!`: hex digits standing for `#` and the digits, or a quoted string.
    fn color(&mut self) -> Result<Value, SyntaxError> {
        if self.peek() == Some('\'') {
            return self.quoted().map(Value::String);
        }
        let digits = self.take_while(|c| c.is_ascii_alphanumeric());
        if digits.is_empty() {
            return Err(self.expected("a color like 1f77b4"));
        }
        Ok(Value::String(format!("#{digits}")))
    }

    /// The stop rule: `path:value` entries separated by `,`, possibly none.
    fn stop(&mut self) -> Result<Value, SyntaxError> {
        let mut map = Map::new();
        if self.peek().is_none() {
            return Ok(Value::Object(map));
        }
        loop {
            let start = self.pos;
            let mut path = vec![self.key()?];
            while self.eat('.') {
                if path.len() >= MAX_DEPTH {
                    return Err(self.fail(start, &format!("a dotted key has more than {MAX_DEPTH} parts")));
                }
                path.push(self.key()?);
            }
            self.consume(':')?;
            let value = self.value(1)?;
            insert_path(&mut map, &path, value).map_err(|message| self.fail(start, &message))?;
            if !self.eat(',') {
                self.end("',' or the end of the stop rule")?;
                return Ok(Value::Object(map));
            }
        }
    }

    /// A field name: letters, digits, `_` and percent escapes.
    fn key(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        let raw = self.take_while(|c| is_ident_char(c) || c == '%');
        if raw.is_empty() {
            return Err(self.expected("a field name"));
        }
        decode_text(raw).map_err(|(offset, message)| self.fail(start + offset, &message))
    }

    /// True when a field name followed by `=` comes next, which makes `(` open an object.
    fn field_follows(&mut self) -> bool {
        let start = self.pos;
        let has_key = !self.take_while(|c| is_ident_char(c) || c == '%').is_empty();
        let follows = has_key && self.peek() == Some('=');
        self.pos = start;
        follows
    }

    /// Any value; `depth` counts the enclosing parentheses.
    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.fail(self.pos, &format!("values are nested more than {MAX_DEPTH} deep")));
        }
        match self.peek() {
            Some('(') => {
                self.bump();
                if self.eat(')') {
                    Ok(Value::Array(Vec::new()))
                } else if self.field_follows() {
                    self.fields(Map::new(), depth)
                } else {
                    self.items(')', depth)
                }
            }
            Some('[') => {
                self.bump();
                if self.eat(']') {
                    Ok(Value::Array(Vec::new()))
                } else {
                    self.items(']', depth)
                }
            }
            Some('\'') => self.quoted().map(Value::String),
            Some(c) if c == '-' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if is_ident_start(c) => {
                let name = self.take_while(is_ident_char).to_string();
                if self.eat('(') {
                    let mut map = Map::new();
                    map.insert("name".to_string(), Value::String(name));
                    if self.eat(')') {
                        return Ok(Value::Object(map));
                    }
                    return self.fields(map, depth);
                }
                Ok(match name.as_str() {
                    "null" => Value::Null,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(name),
                })
            }
            _ => Err(self.expected("a value")),
        }
    }

    /// The fields of an object after its `(`, up to and including the `)`.
    fn fields(&mut self, mut map: Map<String, Value>, depth: usize) -> Result<Value, SyntaxError> {
        loop {
            let start = self.pos;
            let key = self.key()?;
            self.consume('=')?;
            let value = self.value(depth + 1)?;
            if map.contains_key(&key) {
                return Err(self.fail(start, &format!("field `{key}` is given twice")));
            }
            map.insert(key, value);
            if !self.eat(',') {
                self.consume(')')?;
                return Ok(Value::Object(map));
            }
        }
    }

    /// The elements of a non-empty array after its opening bracket, up to and including `close`.
    fn items(&mut self, close: char, depth: usize) -> Result<Value, SyntaxError> {
        let mut items = Vec::new();
        loop {
            items.push(self.value(depth + 1)?);
            if !self.eat(';') {
                self.consume(close)?;
                return Ok(Value::Array(items));
            }
        }
    }

    /// A quoted, percent-encoded string: `'two%20words'`.
    fn quoted(&mut self) -> Result<String, SyntaxError> {
        let open = self.pos;
        self.consume('\'')?;
        let start = self.pos;
        let raw = self.take_while(|c| c != '\'');
        if !self.eat('\'') {
            return Err(self.fail(open, "unterminated string: no closing '"));
        }
        decode_text(raw).map_err(|(offset, message)| self.fail(start + offset, &message))
    }

    /// A number: an integer when it has only digits (and a sign), else a float.
    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let text = self.take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
        parse_number(text).map_err(|message| self.fail(start, &message))
    }
}

/// Reads a number token; the error says what is wrong with it.
fn parse_number(text: &str) -> Result<Value, String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // `-0` stays a float, so that -0.0 survives; integers too large fall through to f64.
        if !negative {
            if let Ok(u) = text.parse::<u64>() {
                return Ok(Value::from(u));
            }
        } else if digits.bytes().any(|b| b != b'0') {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::from(i));
            }
        }
    }
    match text.parse::<f64>() {
        Ok(x) => Number::from_f64(x).map(Value::Number).ok_or_else(|| format!("number `{text}` is out of range")),
        Err(_) => Err(format!("bad number `{text}`")),
    }
}

/// Percent-decodes `raw` as UTF-8. An error carries the byte offset of the problem in `raw`.
fn decode_text(raw: &str) -> Result<String, (usize, String)> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            match (bytes.get(i + 1).and_then(|&h| hex(h)), bytes.get(i + 2).and_then(|&l| hex(l))) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 3;
                }
                _ => return Err((i, "bad percent escape (expected % and two hex digits)".to_string())),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| (0, "the percent escapes do not form valid UTF-8".to_string()))
}

/// The value of one hex digit.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Sets `value` at the dotted `path` inside `map`, creating objects on the way.
fn insert_path(map: &mut Map<String, Value>, path: &[String], value: Value) -> Result<(), String> {
    let twice = || format!("`{}` is given twice", path.join("."));
    let mut node = map;
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    for key in parents {
        let entry = node.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
        node = match entry {
            Value::Object(inner) => inner,
            _ => return Err(twice()),
        };
    }
    if node.contains_key(last) {
        return Err(twice());
    }
    node.insert(last.clone(), value);
    Ok(())
}
