//! The page's catalogue: every problem, dataset, model, optimizer and schedule with its name,
//! title, formula, blurb and fields (label, input kind, default, range, help), and the stopping
//! rules' defaults, the limits the page's controls keep to (the config reader enforces them)
//! and the page's starting choices (`starts`), as one value: the build writes it with
//! `converge catalog` to `pkg/catalog.json` beside the wasm, which the page reads.
//!
//! The names and keys come from the configs' own `tagged_enum!` declarations, and every default
//! is what the config reader fills in: a variant is read from `{"name": N}` (plus a starting
//! value for each field without a default) and written back, so the page shows exactly the
//! values the core uses when a field is omitted. Only the words (titles, labels, help) and the
//! input kinds are written here. Building fails, naming the field, when a config field has no
//! description or a description names no field, so the two cannot drift apart.

mod landscapes;
pub use landscapes::goes_negative;
mod optimizers;
mod schedules;
mod starts;
mod training;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::reader::{from_value, parse_json};

use crate::analysis::job::AnalysisKind;
use crate::chart::PALETTE;
use crate::config::tagged::{Keys, Tagged};
use crate::run::monitor::{EarlyStoppingCriterion, StopConfig, TargetLossCriterion};
use crate::search::SearchConfig;

/// The loss target offered when the page switches the `target_loss` criterion on (it is off by
/// default, and its `value` has no default).
pub const TARGET_LOSS_OFFER: f64 = 1e-3;

/// The whole catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct Catalog {
    pub problems: Vec<Entry>,
    pub datasets: Vec<Entry>,
    pub dataset_groups: Vec<(&'static str, Vec<&'static str>)>,
    pub models: Vec<Entry>,
    pub model_limits: Value,
    /// The experiment's limits the page's controls keep to: runs, label length, CSV size and
    /// the complexity sweep's values.
    pub limits: Value,
    pub training_defaults: Value,
    /// The training settings of a model problem and the experiment's seed, by key.
    pub training_fields: Vec<Field>,
    pub optimizers: Vec<Entry>,
    pub lookahead_fields: Vec<Field>,
    pub weight_decay_notes: Map<String, Value>,
    pub schedules: Vec<Entry>,
    pub stop_defaults: Value,
    /// The search section's defaults: max_resource, eta, seed, population.
    pub search_defaults: Value,
    /// The codes of the analysis overlays' drawing calls: `point_kinds` (a critical point's
    /// kind by its code), `point_key` ([kind, symbol, colour] of each kind's marker, for the
    /// page's key) and `pending_cell` (a basins cell not computed yet).
    pub overlay_codes: Value,
    pub palette: Vec<&'static str>,
    /// The page's starting choices: a new run, the landscape and the dataset a switch of kind
    /// starts from, the model a task starts with, a first hidden layer's units (`starts`).
    pub starts: Value,
    /// The analyses the page offers (every one but classify, which is a click on the landscape).
    pub analyses: Vec<Entry>,
}

/// One named choice (a problem, dataset, model, optimizer or schedule).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Entry {
    pub name: &'static str,
    pub title: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub formula: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub blurb: &'static str,
    /// Facts about the choice that only some kinds have (a dataset's task, a model's tasks,
    /// an optimizer's kind of weight decay, a landscape going below zero).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    pub fields: Vec<Field>,
}

/// One field of a choice, as the page's form shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    /// The input: "number", "int", "bool", "select", "betas", "optint", "optnumber", "ints",
    /// "range".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The core's value when the field is omitted (`null` when it stays unset); absent when
    /// the field is required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The value the page starts from when the field is required or unset by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial: Option<Value>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub help: &'static str,
    /// Always written into the config, even when equal to the default.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub keep: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<(Value, &'static str)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// "percent" shows a share as a percentage.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub format: &'static str,
    /// What the form says the default is, where a number would not say it.
    #[serde(rename = "dfltText", skip_serializing_if = "str::is_empty")]
    pub default_text: &'static str,
    /// The field is hidden while another field has this value: `[key, value]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_if: Option<(&'static str, Value)>,
}

/// A field's words and input, as static data (a table row, not code, so that the catalogue
/// costs the wasm little). `initial` is JSON text; `of` limits the row to some variants (empty:
/// every variant with the key).
#[derive(Clone, Copy, Debug)]
pub struct Words {
    pub key: &'static str,
    pub of: &'static [&'static str],
    pub label: &'static str,
    pub kind: &'static str,
    pub help: &'static str,
    pub initial: &'static str,
    pub keep: bool,
    pub options: &'static [(Option<&'static str>, &'static str)],
    /// A slider's minimum, maximum and step.
    pub range: Option<(f64, f64, f64)>,
    pub percent: bool,
    pub default_text: &'static str,
    pub hide_if: Option<(&'static str, &'static str)>,
    /// The default as JSON text, for a field the config leaves out of its JSON when it has its
    /// default (`skip_serializing_if`); `fields_of` checks that the reader agrees.
    pub omitted_default: &'static str,
}

/// A row with nothing said; rows start from it (`Words { key: "lr", ..WORDS }`).
pub const WORDS: Words = Words {
    key: "",
    of: &[],
    label: "",
    kind: "",
    help: "",
    initial: "",
    keep: false,
    options: &[],
    range: None,
    percent: false,
    default_text: "",
    hide_if: None,
    omitted_default: "",
};

/// The row of `table` for field `key` of variant `name`: one made for that variant first, then
/// one for every variant; none means the label is the key.
fn words_for(table: &'static [Words], name: &str, key: &'static str) -> Words {
    let specific = table.iter().find(|w| w.key == key && w.of.contains(&name));
    let general = || table.iter().find(|w| w.key == key && w.of.is_empty());
    specific.or_else(general).copied().unwrap_or(Words { key, label: key, ..WORDS })
}

/// Fails when a row of `table` describes no field of any variant in `names`.
fn check_rows(what: &str, table: &[Words], names: &[&str], keys: fn(&str) -> Option<Keys>) -> Result<(), String> {
    for row in table {
        let variants: Vec<&str> = if row.of.is_empty() { names.to_vec() } else { row.of.to_vec() };
        let used =
            variants.iter().any(|name| keys(name).is_some_and(|keys| keys.iter().any(|(key, _)| *key == row.key)));
        if !used {
            return Err(format!("catalogue: the {what} words for `{}` describe no field", row.key));
        }
    }
    Ok(())
}

/// A field as the page's form gets it, from its words and the core's default.
fn field_from(words: &Words, default: Option<Value>) -> Result<Field, String> {
    let initial = if words.initial.is_empty() {
        None
    } else {
        Some(parse_json(words.initial).map_err(|e| format!("catalogue: `{}` starts from bad JSON: {e}", words.key))?)
    };
    let (min, max, step) = match words.range {
        Some((min, max, step)) => (Some(min), Some(max), Some(step)),
        None => (None, None, None),
    };
    let kind = if !words.kind.is_empty() {
        words.kind
    } else if !words.options.is_empty() {
        "select"
    } else if words.range.is_some() {
        "range"
    } else {
        kind_of(default.as_ref().or(initial.as_ref()))
            .ok_or_else(|| format!("catalogue: `{}` needs an input kind", words.key))?
    };
    Ok(Field {
        key: words.key,
        label: if words.label.is_empty() { words.key } else { words.label },
        kind,
        keep: words.keep || default.is_none(),
        default,
        initial,
        help: words.help,
        options: words.options.iter().map(|(value, text)| (value.map_or(Value::Null, Value::from), *text)).collect(),
        min,
        max,
        step,
        format: if words.percent { "percent" } else { "" },
        default_text: words.default_text,
        hide_if: words.hide_if.map(|(key, value)| (key, Value::from(value))),
    })
}

/// The input kind a value calls for: a checkbox, an integer or number box, or a pair of betas.
fn kind_of(value: Option<&Value>) -> Option<&'static str> {
    match value? {
        Value::Bool(_) => Some("bool"),
        Value::Number(n) if n.is_f64() => Some("number"),
        Value::Number(_) => Some("int"),
        Value::Array(items) if items.len() == 2 => Some("betas"),
        _ => None,
    }
}

/// How a config type reads a variant from JSON and writes it back with every default filled.
pub type ReadBack = fn(Value) -> Result<Value, String>;

/// Reads and writes back a variant of the tagged config `T`.
pub fn read_back<T: Tagged>(value: Value) -> Result<Value, String> {
    let config = T::read(value).map_err(|e| e.to_string())?;
    written(&config)
}

/// The fields of variant `name` (whose keys are `keys`), described by `table` and given the
/// default the reader fills in (`read`): the variant is read from its name and the starting
/// value of every required field.
pub fn fields_of(
    name: &'static str,
    keys: Keys,
    table: &'static [Words],
    read: ReadBack,
) -> Result<Vec<Field>, String> {
    let mut start = Map::new();
    start.insert("name".into(), Value::from(name));
    let words: Vec<Words> = keys.iter().map(|(key, _)| words_for(table, name, key)).collect();
    for (w, (key, required)) in words.iter().zip(keys) {
        if *required {
            if w.initial.is_empty() {
                return Err(format!("catalogue: `{name}.{key}` needs a starting value"));
            }
            let initial = parse_json(w.initial).map_err(|e| format!("catalogue: `{name}.{key}`: {e}"))?;
            start.insert((*key).into(), initial);
        }
    }
    let written = read(Value::Object(start.clone())).map_err(|e| format!("catalogue: `{name}`: {e}"))?;
    let mut fields = Vec::with_capacity(keys.len());
    for (w, (key, required)) in words.iter().zip(keys) {
        let default = match (required, written.get(*key)) {
            (true, _) => None,
            (false, Some(value)) => Some(value.clone()),
            (false, None) if !w.omitted_default.is_empty() => {
                // Left out of the JSON: the row states the default, and reading the variant
                // with it must give the same config as reading it without.
                let value = parse_json(w.omitted_default).map_err(|e| format!("catalogue: `{name}.{key}`: {e}"))?;
                let mut with = start.clone();
                with.insert((*key).into(), value.clone());
                if read(Value::Object(with))? != written {
                    return Err(format!("catalogue: `{name}.{key}` does not default to {}", w.omitted_default));
                }
                Some(value)
            }
            (false, None) => Some(Value::Null),
        };
        fields.push(field_from(w, default)?);
    }
    Ok(fields)
}

/// Fields described by `table` alone, each with its default taken from `written` at its key
/// (for configs that are not tagged: the training settings).
pub fn fields_from(table: &'static [Words], default_of: impl Fn(&str) -> Option<Value>) -> Result<Vec<Field>, String> {
    table
        .iter()
        .map(|w| {
            let default = default_of(w.key).ok_or_else(|| format!("catalogue: `{}` has no default", w.key))?;
            field_from(w, Some(default))
        })
        .collect()
}

/// A value as the core writes it, through `serde_json::to_value` as `Experiment::to_value`
/// writes configs (the same serializer, so the wasm holds no second copy of it).
pub fn written<T: Serialize>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// A value as the config reader reads it from JSON text (the reader the core uses for configs,
/// where `serde_json::from_str` would add deserializers of its own to the wasm).
pub fn read<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = parse_json(text).map_err(|e| format!("catalogue: {e}"))?;
    from_value(&value).map_err(|e| format!("catalogue: {e}"))
}

/// The search card's settings when a search section leaves them out, as the config reader fills
/// them in (and PBT's population, which the reader leaves unset and `SearchConfig::population`
/// defaults).
fn search_defaults() -> Result<Value, String> {
    let search: SearchConfig = read(r#"{"method": "hyperband", "space": []}"#)?;
    Ok(serde_json::json!({
        "max_resource": search.max_resource,
        "eta": search.eta,
        "seed": search.seed,
        "population": search.population(),
    }))
}

/// The stopping rules' defaults, and the values offered when an optional rule is switched on.
fn stop_defaults() -> Result<Value, String> {
    let mut stop = written(&read::<StopConfig>("{}")?)?;
    let target: TargetLossCriterion = read(&format!("{{\"value\": {TARGET_LOSS_OFFER:?}}}"))?;
    let early: EarlyStoppingCriterion = read("{}")?;
    stop["target_loss"] = written(&target)?;
    stop["early_stopping"] = written(&early)?;
    Ok(stop)
}

/// The analyses of the page's analysis card, with what each needs.
fn analyses() -> Vec<Entry> {
    let offered = AnalysisKind::ALL.into_iter().filter(|&k| k != AnalysisKind::Classify);
    offered
        .map(|k| Entry {
            name: k.key(),
            title: k.title(),
            blurb: k.blurb(),
            extra: crate::json::object_from([("needs".to_string(), Value::from(k.needs()))]),
            ..Entry::default()
        })
        .collect()
}

/// The limits of an experiment that the page's controls keep to, under the names the page reads.
fn limits() -> Value {
    serde_json::json!({
        "maxRuns": crate::config::MAX_RUNS,
        "maxLabelChars": crate::config::MAX_LABEL_CHARS,
        "maxCsvBytes": crate::config::limits::MAX_CSV_BYTES,
        "maxSweepValues": crate::analysis::sweep::MAX_SWEEP_VALUES,
    })
}

/// Builds the catalogue; an error names the entry that does not match its config.
pub fn catalog() -> Result<Catalog, String> {
    let problems = landscapes::entries()?;
    let datasets = training::datasets()?;
    let optimizers = optimizers::entries()?;
    let schedules = schedules::entries()?;
    Ok(Catalog {
        problems,
        datasets,
        dataset_groups: training::DATASET_GROUPS.iter().map(|(group, names)| (*group, names.to_vec())).collect(),
        models: training::models()?,
        model_limits: training::limits(),
        limits: limits(),
        training_defaults: training::defaults()?,
        training_fields: training::fields()?,
        optimizers,
        lookahead_fields: optimizers::lookahead_fields()?,
        weight_decay_notes: crate::json::object_from(
            optimizers::WEIGHT_DECAY_NOTES.iter().map(|(k, v)| ((*k).to_string(), Value::from(*v))),
        ),
        schedules,
        stop_defaults: stop_defaults()?,
        search_defaults: search_defaults()?,
        overlay_codes: serde_json::json!({
            "point_kinds": written(&crate::chart::analysis_overlay::POINT_KIND_CODES)?,
            "point_key": written(&crate::chart::analysis_overlay::POINT_KEY)?,
            "pending_cell": crate::chart::analysis_overlay::PENDING,
        }),
        palette: PALETTE.to_vec(),
        starts: starts::starts(),
        analyses: analyses(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimizerConfig;

    const NEWTON: [Words; 2] =
        [Words { key: "damping", label: "damping (λ)", ..WORDS }, Words { key: "dumping", ..WORDS }];

    fn newton_keys() -> &'static [(&'static str, bool)] {
        OptimizerConfig::keys_of("Newton").unwrap()
    }

    #[test]
    fn the_catalogue_builds() {
        let catalog = catalog().unwrap();
        assert_eq!(catalog.optimizers.len(), OptimizerConfig::NAMES.len() - 1, "every optimizer but Lookahead");
    }

    #[test]
    fn the_limits_and_search_defaults_are_the_readers() {
        let catalog = catalog().unwrap();
        assert_eq!(catalog.limits["maxRuns"], crate::config::MAX_RUNS);
        assert_eq!(catalog.limits["maxLabelChars"], crate::config::MAX_LABEL_CHARS);
        assert_eq!(catalog.limits["maxCsvBytes"], crate::config::limits::MAX_CSV_BYTES);
        assert_eq!(catalog.limits["maxSweepValues"], crate::analysis::sweep::MAX_SWEEP_VALUES);
        // A search section with only its method and space, read by the experiment's reader.
        let search: SearchConfig = read(r#"{"method": "pbt", "space": []}"#).unwrap();
        let defaults = &catalog.search_defaults;
        assert_eq!(defaults["max_resource"], search.max_resource);
        assert_eq!(defaults["eta"], search.eta);
        assert_eq!(defaults["seed"], search.seed);
        assert_eq!(defaults["population"], search.population());
        assert_eq!((defaults["max_resource"].as_u64(), defaults["population"].as_u64()), (Some(81), Some(8)));
    }

    #[test]
    fn a_row_that_describes_no_field_is_an_error_naming_it() {
        let error = check_rows("optimizer", &NEWTON, &["Newton"], OptimizerConfig::keys_of).unwrap_err();
        assert_eq!(error, "catalogue: the optimizer words for `dumping` describe no field");
    }

    #[test]
    fn defaults_are_what_the_reader_fills_in_and_labels_come_from_the_table() {
        let fields = fields_of("Newton", newton_keys(), &NEWTON, read_back::<OptimizerConfig>).unwrap();
        assert_eq!(
            (fields[0].key, fields[0].label, fields[0].default.clone()),
            ("lr", "lr", Some(serde_json::json!(1.0)))
        );
        assert_eq!((fields[1].label, fields[1].default.clone()), ("damping (λ)", Some(serde_json::json!(0.0))));
        assert_eq!(fields[1].kind, "number");
    }

    #[test]
    fn an_omitted_default_that_the_reader_does_not_fill_in_is_an_error() {
        const WRONG: [Words; 1] = [Words { key: "scale", omitted_default: "2.0", ..WORDS }];
        let keys = crate::data::DataConfig::keys_of("spiral").unwrap();
        let error = fields_of("spiral", keys, &WRONG, read_back::<crate::data::DataConfig>).unwrap_err();
        assert_eq!(error, "catalogue: `spiral.scale` does not default to 2.0");
    }

    #[test]
    fn a_required_field_without_a_starting_value_is_an_error_naming_it() {
        let keys = OptimizerConfig::keys_of("Lookahead").unwrap();
        let error = fields_of("Lookahead", keys, &[], read_back::<OptimizerConfig>).unwrap_err();
        assert_eq!(error, "catalogue: `Lookahead.inner` needs a starting value");
    }
}
