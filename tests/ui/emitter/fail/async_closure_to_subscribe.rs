use pyventus::prelude::*;

#[event]
struct Ping(u32);

fn main() {
    EventLinker::subscribe(|e: &Ping| {
        let id = e.0;
        async move { println!("{id}") }
    });
}
