//! The declared MSRV (`rust-version` in Cargo.toml) is true for the lockfile: no locked package
//! declares a newer `rust_version` (`.cargo/config.toml` makes the resolver prefer versions
//! that fit, `incompatible-rust-versions = "fallback"`). Ignored by default because `cargo
//! metadata` may need the network (it reads every locked package's manifest, other
//! platforms' too); `.ci/run` runs it with `--ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap());
    let major = parts.next().unwrap_or(0);
    (major, parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
#[ignore = "runs `cargo metadata`, which may need the network; .ci/run runs it"]
fn every_locked_package_builds_with_the_declared_msrv() {
    let msrv = version(env!("CARGO_PKG_RUST_VERSION"));
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    assert!(packages.len() > 50, "the lockfile's packages are listed");
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > msrv).then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "locked packages newer than the MSRV {}: {too_new:?}",
        env!("CARGO_PKG_RUST_VERSION")
    );
}
