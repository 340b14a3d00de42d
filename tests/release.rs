//! What a release relies on (see "Releasing" in CHANGELOG.md): every crate of the workspace has
//! the same version, the changelog has a section for it, and the licence file matches the
//! manifests' `license`.

use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()))
}

fn manifest_value(manifest: &str, key: &str) -> String {
    let table: toml::Table = manifest.parse().expect("a Cargo.toml");
    table["package"][key]
        .as_str()
        .unwrap_or_else(|| panic!("package.{key}"))
        .to_owned()
}

#[test]
fn every_crate_has_the_version_the_changelog_describes() {
    let version = env!("CARGO_PKG_VERSION");
    for manifest in ["rules/Cargo.toml", "runtime-check/Cargo.toml"] {
        assert_eq!(
            manifest_value(&read(manifest), "version"),
            version,
            "{manifest}"
        );
    }
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog.lines().any(|l| l == format!("## {version}")),
        "CHANGELOG.md has no `## {version}` section"
    );
    assert!(
        changelog.contains("\n## Unreleased\n"),
        "an Unreleased section"
    );
}

#[test]
fn the_licence_file_is_the_licence_the_manifests_declare() {
    for manifest in ["Cargo.toml", "rules/Cargo.toml", "runtime-check/Cargo.toml"] {
        assert_eq!(
            manifest_value(&read(manifest), "license"),
            "MIT",
            "{manifest}"
        );
    }
    assert!(read("LICENSE").starts_with("MIT License\n"));
}
