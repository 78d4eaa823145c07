//! Records the source revision for `php --ri agents_core`.
//!
//! Order: the environment variable `AGENTS_CORE_REVISION` when set and not empty (release
//! scripts and builds in a chroot without git pass it), else `git describe` of this source
//! tree when it is the top of a git work tree, else `unknown` (a tarball or a copy without
//! `.git`). A git repository *around* an unpacked tarball (a vendor directory, say) is never
//! asked: its revision would not be this source's.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn revision(manifest: &Path) -> String {
    println!("cargo:rerun-if-env-changed=AGENTS_CORE_REVISION");
    println!("cargo:rerun-if-changed=build.rs");
    if let Ok(r) = std::env::var("AGENTS_CORE_REVISION") {
        let r = r.trim();
        if !r.is_empty() && r.len() <= 100 && !r.contains('\0') {
            return r.to_string();
        }
    }
    let top = git(manifest, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let same = match (
        top.as_deref().map(Path::canonicalize),
        manifest.canonicalize(),
    ) {
        (Some(Ok(a)), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return "unknown".to_string();
    }
    // Rebuild the string when HEAD moves, the index changes or a source file changes (the
    // `-dirty` suffix follows the work tree).
    for p in ["src", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={p}");
    }
    if let Some(gd) = git(manifest, &["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={gd}/HEAD");
        println!("cargo:rerun-if-changed={gd}/index");
    }
    if let (Some(cd), Some(head)) = (
        git(
            manifest,
            &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        ),
        git(manifest, &["symbolic-ref", "-q", "HEAD"]),
    ) {
        println!("cargo:rerun-if-changed={cd}/{head}");
        println!("cargo:rerun-if-changed={cd}/packed-refs");
    }
    git(
        manifest,
        &["describe", "--always", "--tags", "--dirty", "--abbrev=12"],
    )
    .unwrap_or_else(|| "unknown".to_string())
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rev = revision(&manifest);
    println!("cargo:rustc-env=AGENTS_CORE_BUILD_REVISION={rev}");
}
