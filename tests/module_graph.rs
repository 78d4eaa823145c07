//! The module graph of `src/`, derived from the source text, must have no cycle.
//!
//! Every file of `src/` is a module (a file `a.rs` or `a/mod.rs` is module `a`, a file `a/b.rs`
//! is `a::b`; `tests.rs` files are test code and left out). A module depends on another when its
//! non-test code names it through `crate::…`, `super::…` or `self::…` (in a `use` declaration,
//! braces expanded, or inline in an expression or a type). For every module, the dependencies among its direct children are lifted to those
//! children (a dependency of `a::x::y` on `a::z` is one of `a::x` on `a::z`) and that graph of
//! siblings must be acyclic. A parent and its own children may name each other freely.
//!
//! `MODULE_GRAPH_PRINT=1 cargo test --no-default-features --test module_graph -- --nocapture`
//! prints the top-level graph and each inner one as Mermaid (the diagram of
//! `docs/architecture.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Module = Vec<String>;

/// Module path of a file below `src/`.
fn module_of(rel: &Path) -> Module {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().expect("a file name");
    let stem = file.trim_end_matches(".rs").to_owned();
    if stem != "mod" && stem != "lib" {
        parts.push(stem);
    }
    parts
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<(Module, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("readable src/")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            let rel = path.strip_prefix(root).expect("below src/");
            let text = fs::read_to_string(&path).expect("UTF-8 source");
            out.push((module_of(rel), text));
        }
    }
}

/// The source without comments, string contents and test code.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = '\0';
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    without_test_items(&out)
}

/// Removes every item marked `#[cfg(test)]`: up to its `;`, or to the brace closing its body.
fn without_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let semi = item.find(';').unwrap_or(item.len());
        let open = item.find('{').unwrap_or(item.len());
        let end = if semi < open {
            semi + 1
        } else {
            let mut depth = 0usize;
            let mut end = item.len();
            for (i, c) in item.char_indices().skip(open) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            end
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Expands a `use` tree (whitespace removed) into full paths.
fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim_start_matches("::");
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let base = format!("{prefix}{head}");
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_item(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_item(&inner[start..], &base, out);
    } else {
        out.push(format!("{prefix}{tree}"));
    }
}

fn expand_item(item: &str, base: &str, out: &mut Vec<String>) {
    if item.is_empty() {
        return;
    }
    if item == "self" {
        out.push(base.trim_end_matches("::").to_owned());
    } else {
        expand(item, base, out);
    }
}

/// Every path the code names through `crate`, `super` or `self`.
fn paths_named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `use` declarations, braces expanded.
    let mut rest = code;
    while let Some(pos) = find_use(rest) {
        let after = &rest[pos..];
        let end = after.find(';').unwrap_or(after.len());
        let decl: String = after[4..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // `as` renames keep the path in front (`a::Bbasc` still resolves to module `a`).
        expand(&decl, "", &mut out);
        rest = &after[end..];
    }
    // Inline paths.
    let bytes = code.as_bytes();
    for key in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(key) {
            let at = from + i;
            from = at + key.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            out.push(code[at..end].trim_end_matches(':').to_owned());
        }
    }
    out
}

fn find_use(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = code[from..].find("use ") {
        let at = from + i;
        let line_start = code[..at].rfind('\n').map_or(0, |n| n + 1);
        let lead = code[line_start..at].trim();
        if lead.is_empty() || lead.starts_with("pub") {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// Resolves a path named in `module` to the deepest known module it reaches.
fn resolve(path: &str, module: &Module, known: &BTreeSet<Module>) -> Option<Module> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Module = match segs.first().copied() {
        Some("crate") => {
            segs.remove(0);
            Vec::new()
        }
        Some("self") => {
            segs.remove(0);
            module.clone()
        }
        Some("super") => {
            let mut m = module.clone();
            while segs.first() == Some(&"super") {
                segs.remove(0);
                m.pop();
            }
            m
        }
        _ => return None,
    };
    let mut best = base.clone();
    for s in segs {
        base.push(s.to_owned());
        if known.contains(&base) {
            best = base.clone();
        } else {
            break;
        }
    }
    Some(best)
}

/// For each parent module, the dependencies among its direct children.
fn sibling_graphs(
    files: &[(Module, String)],
) -> BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> {
    let known: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graphs: BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for m in &known {
        if let Some((last, parent)) = m.split_last() {
            graphs
                .entry(parent.to_vec())
                .or_default()
                .entry(last.clone())
                .or_default();
        }
    }
    for (from, text) in files {
        for path in paths_named(&code_of(text)) {
            let Some(to) = resolve(&path, from, &known) else {
                continue;
            };
            // The deepest common ancestor, and the children of it on each side.
            let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                graphs
                    .entry(from[..common].to_vec())
                    .or_default()
                    .entry(from[common].clone())
                    .or_default()
                    .insert(to[common].clone());
            }
        }
    }
    graphs
}

/// A cycle of the graph, if any, as the list of its nodes.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn source_files() -> Vec<(Module, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files
}

fn mermaid(parent: &Module, graph: &BTreeMap<String, BTreeSet<String>>) -> String {
    let name = if parent.is_empty() {
        "crate".to_owned()
    } else {
        parent.join("::")
    };
    let mut out = format!("%% {name}\ngraph TD\n");
    for (from, tos) in graph {
        if tos.is_empty() {
            out.push_str(&format!("    {from}\n"));
        }
        for to in tos {
            out.push_str(&format!("    {from} --> {to}\n"));
        }
    }
    out
}

#[test]
fn src_has_no_module_cycle() {
    let files = source_files();
    assert!(files.len() > 20, "src/ was not found");
    let graphs = sibling_graphs(&files);
    if std::env::var_os("MODULE_GRAPH_PRINT").is_some() {
        for (parent, graph) in &graphs {
            println!("{}", mermaid(parent, graph));
        }
    }
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(parent, g)| {
            find_cycle(g).map(|c| {
                let base = if parent.is_empty() {
                    String::new()
                } else {
                    format!("{}::", parent.join("::"))
                };
                c.iter()
                    .map(|n| format!("{base}{n}"))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            })
        })
        .collect();
    assert!(cycles.is_empty(), "module cycles in src/: {cycles:#?}");
}

#[test]
fn the_reader_sees_the_dependencies_it_must() {
    // A known edge of the real tree, through a `use` with braces, must be found, or the check
    // above would pass for any tree.
    let graphs = sibling_graphs(&source_files());
    assert!(graphs[&Vec::new()]["auth"].contains("credentials"));
    assert!(graphs[&vec!["jwt".to_owned()]]["keys"].contains("material"));
}

#[test]
fn a_cycle_is_found() {
    let files = vec![
        (vec![], String::new()),
        (
            vec!["a".to_owned()],
            "use crate::b::{self, X};\n".to_owned(),
        ),
        (vec!["b".to_owned()], "pub use super::c::Y;\n".to_owned()),
        (
            vec!["c".to_owned()],
            "#[cfg(test)]\nmod tests { use crate::b::X; }\nfn f() { crate::a::g(); }\n".to_owned(),
        ),
        (vec!["d".to_owned()], "// use crate::a::X;\n".to_owned()),
    ];
    let graphs = sibling_graphs(&files);
    let cycle = find_cycle(&graphs[&Vec::new()]).expect("a -> b -> c -> a");
    assert_eq!(cycle, ["a", "b", "c", "a"]);
    // Comments and test code are not dependencies.
    assert!(graphs[&Vec::new()]["d"].is_empty());
    assert!(!graphs[&Vec::new()]["c"].contains("b"));
    // Without the closing edge there is none.
    let mut acyclic = files.clone();
    acyclic[3].1 = String::new();
    assert!(find_cycle(&sibling_graphs(&acyclic)[&Vec::new()]).is_none());
}
