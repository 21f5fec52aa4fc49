use pyventus::prelude::*;

#[event]
struct OrderPlaced;

fn placed(_: u32, _: u64) {}

// After their value, callbacks take extractors only.
#[subscribe(OrderPlaced, on_success = placed)]
fn on_event(_: &OrderPlaced) -> Result<u32, String> {
    Ok(1)
}

fn main() {}
