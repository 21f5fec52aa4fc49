#!/usr/bin/env bash
# Compile time of 1,000 `#[subscribe]` handlers over 20 events, next to the same 1,000 functions
# registered with a bare `inventory::submit!` of a function pointer, and called directly (no registration).
#
# Generates three crates under target/compile-time/, builds their dependencies once, then times a rebuild
# of each crate alone (its lib.rs touched), in debug and in release. Uses `hyperfine` when installed
# (`apt-get install hyperfine`), else one run each with bash's `time`.
#
# Run with: bash benches/compile_time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/target/compile-time"
handlers=1000
events=20
mkdir -p "$out"

manifest() { # name, extra dependencies
    cat <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$2

[workspace]
TOML
}

generate() { # name, kind (ours | bare | plain)
    local dir="$out/$1"
    mkdir -p "$dir/src"
    case "$2" in
        ours) manifest "$1" "pyventus = { path = \"$root\", default-features = false }" ;;
        bare) manifest "$1" "inventory = \"0.3\"" ;;
        plain) manifest "$1" "" ;;
    esac >"$dir/Cargo.toml"
    {
        echo "#![allow(dead_code)]"
        case "$2" in
            ours) echo "use pyventus::prelude::*;" ;;
            bare) echo "pub struct Registered { pub call: fn(&dyn std::any::Any) }"
                  echo "inventory::collect!(Registered);" ;;
        esac
        for e in $(seq 0 $((events - 1))); do
            [ "$2" = ours ] && echo "#[event]"
            echo "pub struct E$e(pub u64);"
        done
        for h in $(seq 0 $((handlers - 1))); do
            e=$((h % events))
            case "$2" in
                ours) echo "#[subscribe(E$e)]"
                      echo "fn h$h(e: &E$e) { std::hint::black_box(e.0); }" ;;
                bare) echo "fn h$h(e: &dyn std::any::Any) { if let Some(e) = e.downcast_ref::<E$e>() { std::hint::black_box(e.0); } }"
                      echo "inventory::submit! { Registered { call: h$h } }" ;;
                plain) echo "pub fn h$h(e: &E$e) { std::hint::black_box(e.0); }" ;;
            esac
        done
    } >"$dir/src/lib.rs"
}

for kind in ours bare plain; do
    generate "handlers_$kind" "$kind"
done

for profile in dev release; do
    flag=""
    [ "$profile" = release ] && flag="--release"
    for kind in ours bare plain; do
        (cd "$out/handlers_$kind" && cargo build -q $flag)
    done
    echo "## $profile: rebuild of the crate alone ($handlers handlers, $events events)"
    for kind in ours bare plain; do
        dir="$out/handlers_$kind"
        if command -v hyperfine >/dev/null; then
            hyperfine --style basic --runs 5 --prepare "touch $dir/src/lib.rs" \
                "cargo build -q $flag --manifest-path $dir/Cargo.toml" | sed "s/^/$kind: /"
        else
            touch "$dir/src/lib.rs"
            start=$(date +%s.%N)
            cargo build -q $flag --manifest-path "$dir/Cargo.toml"
            end=$(date +%s.%N)
            echo "$kind: $(echo "$end - $start" | bc) s"
        fi
    done
done
