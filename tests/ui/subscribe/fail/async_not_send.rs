use std::rc::Rc;

use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent)]
async fn on_event(_: &MyEvent) {
    let local = Rc::new(1);
    tokio::task::yield_now().await;
    println!("{local}");
}

fn main() {}
