//! The module map at the top of `src/lib.rs` is true: each module of the core uses only the modules listed
//! above it in the map's table, except the modules listed together in one row (`event` ⇄ `registry`),
//! which may use each other. Read from the `crate::…` paths of each module's source (comments ignored),
//! so that a new import that breaks the layering fails here, with the edge that broke it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The rows of the module map's table: the modules named in each row's second column, in order.
fn map_rows(lib: &str) -> Vec<Vec<String>> {
    let map = lib
        .split("# Module map")
        .nth(1)
        .expect("src/lib.rs has a `# Module map` section");
    map.lines()
        .take_while(|line| !line.contains("# Life of an emit"))
        .filter_map(|line| line.strip_prefix("//! |"))
        .filter_map(|row| row.split('|').nth(1))
        .map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|names| !names.is_empty())
        .collect()
}

/// The source files of each top-level module: `foo.rs` and everything under `foo/`.
fn module_files(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("src/ is readable").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src/");
            let top = relative
                .components()
                .next()
                .and_then(|first| first.as_os_str().to_str())
                .map(|first| first.trim_end_matches(".rs").to_owned())
                .expect("a file name");
            if top != "lib" {
                modules.entry(top).or_default().push(path);
            }
        }
    }
    modules
}

/// The top-level modules a source file names through `crate::…`, comments left out.
fn uses(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    code.match_indices("crate::")
        .filter(|(at, _)| {
            // `crate::x`, not `$crate::x` or `my_crate::x`.
            code[..*at]
                .chars()
                .next_back()
                .is_none_or(|before| !(before.is_alphanumeric() || before == '_' || before == '$'))
        })
        .flat_map(|(at, _)| first_segments(&code[at + "crate::".len()..]))
        .filter(|name| !name.is_empty() && name != "__private")
        .collect()
}

/// The first path segments after `crate::`: one name, or each name of a `{a::X, b}` group.
fn first_segments(rest: &str) -> Vec<String> {
    let name = |text: &str| {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![name(rest)];
    };
    let mut names = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                names.push(name(&group[start..at]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                names.push(name(&group[start..at]));
                start = at + 1;
            }
            _ => {}
        }
    }
    names
}

#[test]
fn every_module_uses_only_modules_above_it_in_the_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs is readable");
    let rows = map_rows(&lib);
    let modules = module_files(&src);

    let listed: Vec<&String> = rows.iter().flatten().collect();
    let listed_set: BTreeSet<&String> = listed.iter().copied().collect();
    let actual: BTreeSet<&String> = modules.keys().collect();
    assert_eq!(
        listed_set, actual,
        "the module map must list every module of src/, once"
    );
    assert_eq!(listed.len(), listed_set.len(), "a module is listed twice");

    let mut broken = Vec::new();
    for (row, names) in rows.iter().enumerate() {
        let allowed: BTreeSet<&String> = rows[..=row].iter().flatten().collect();
        for name in names {
            for file in &modules[name] {
                let source = fs::read_to_string(file).expect("source is readable");
                for used in uses(&source) {
                    if used != *name && !allowed.contains(&used) {
                        broken.push(format!(
                            "{} uses `{used}`, which the map lists below `{name}`",
                            file.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "the module map in src/lib.rs no longer holds:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_reader_sees_imports_and_paths_alike() {
    let found = uses(
        "use crate::meta::HandlerInfo;\n// crate::ignored\nlet x = crate::report::panic(a); $crate::no; my_crate::no;\n\
         use crate::{event::{AnyEvent, Event}, handler};",
    );
    let expected = ["event", "handler", "meta", "report"].map(str::to_owned);
    assert_eq!(found, BTreeSet::from(expected));
}
