//! `schemas/leaklint.schema.json`, the JSON schema editors use to complete and check
//! `leaklint.toml` (Taplo, Even Better TOML): it lists every rule, accepts what `leaklint init`
//! writes and the README's example, and rejects what leaklint itself rejects.

mod cli_support;

use std::path::Path;

use cli_support::*;
use serde_json::Value;

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/leaklint.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the schema")).expect("JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema compiles")
}

/// TOML text as the JSON value a TOML-aware editor validates.
fn as_json(toml_text: &str) -> Value {
    let value: toml::Value = toml::from_str(toml_text).expect("TOML");
    serde_json::to_value(value).expect("JSON")
}

#[track_caller]
fn assert_accepted(validator: &jsonschema::Validator, toml_text: &str) {
    let errors: Vec<String> = validator
        .iter_errors(&as_json(toml_text))
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}\n{toml_text}", errors.join("\n"));
}

#[test]
fn the_schema_lists_every_rule_with_its_summary() {
    let schema = schema();
    let listed = schema["properties"]["rules"]["properties"]
        .as_object()
        .expect("rules.properties");
    let expected: Vec<(&str, &str)> = leaklint_rules::ALL
        .iter()
        .map(|r| (r.meta().id, r.meta().summary()))
        .collect();
    let got: Vec<(&str, &str)> = listed
        .iter()
        .map(|(id, v)| (id.as_str(), v["description"].as_str().unwrap_or("")))
        .collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(
        got, expected_sorted,
        "schemas/leaklint.schema.json must list every rule under properties.rules.properties, \
         as {{\"$ref\": \"#/definitions/level\", \"description\": <the rule's summary>}}"
    );
}

#[test]
fn init_output_and_the_readme_example_are_accepted() {
    let validator = validator();
    let dir = project();
    leaklint(dir.path(), &["init"]).assert_code(0);
    let starter = std::fs::read_to_string(dir.path().join("leaklint.toml")).unwrap();
    assert_accepted(&validator, &starter);
    // With every commented rule line switched on.
    let uncommented: String = starter
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|r| r.contains(" = \""))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("listener-leak = \""), "{uncommented}");
    assert_accepted(&validator, &uncommented);
    // leaklint accepts it too.
    write(dir.path(), "leaklint.toml", &uncommented);
    write(dir.path(), "app.js", CLEAN);
    leaklint(dir.path(), &["app.js"]).assert_code(0);

    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("### Configuration").expect("section")..];
    let start = section.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    assert_accepted(&validator, example);
}

#[test]
fn what_leaklint_rejects_the_schema_rejects() {
    let validator = validator();
    let dir = project();
    write(dir.path(), "app.js", CLEAN);
    for bad in [
        "[rules]\nlisteners-leak = \"off\"\n",
        "[rules]\nlistener-leak = \"warning\"\n",
        "ignores = []\n",
        "[knowledge]\nlong_live = [\"bus\"]\n",
        "ignore = \"dist/\"\n",
        "file_budget = -1\n",
        "file_budget = \"10s\"\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "schema accepts {bad}");
        write(dir.path(), "leaklint.toml", bad);
        leaklint(dir.path(), &["app.js"]).assert_code(2);
    }
}
