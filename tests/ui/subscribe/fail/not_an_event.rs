use pyventus::prelude::*;

struct Plain;

#[subscribe(Plain)]
fn on_plain(_: &Plain) {}

fn main() {}
