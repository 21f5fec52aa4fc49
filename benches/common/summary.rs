//! One line per measured ratio for `benches/report.sh`, which runs every bench and prints them as one
//! table. A bench run by hand writes nothing extra: the lines go to the file named by the environment
//! variable `PYVENTUS_SUMMARY`, only when it is set.

use std::io::Write as _;

/// Records one row: `ours` and `baseline` in `unit`, and the target for `ours / baseline`
/// (`at_most`: the ratio must not exceed it; `0.2` reads "5× faster").
pub(crate) fn record(what: &str, baseline: &str, ours: f64, base: f64, unit: &str, at_most: f64) {
    let Some(path) = std::env::var_os("PYVENTUS_SUMMARY") else {
        return;
    };
    let line = format!("{what}\t{baseline}\t{ours:.2}\t{base:.2}\t{unit}\t{at_most}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        eprintln!("could not append to {}: {error}", path.to_string_lossy());
    }
}
