use pyventus::prelude::*;

#[event]
struct Ping(u32);

fn main() {
    // The future must own what it needs (`let id = e.0;` before `async move`).
    EventLinker::subscribe_async(|e: &Ping| async move { println!("{}", e.0) });
}
