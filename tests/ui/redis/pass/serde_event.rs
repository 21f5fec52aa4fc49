use pyventus::AnyEvent;
use pyventus::prelude::*;
use pyventus::redis::{Delivery, RedisProcessor};
use serde::{Deserialize, Serialize};

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct OrderPlaced {
    id: u64,
}

#[event(serde, crate = pyventus)]
#[derive(Serialize, Deserialize)]
enum Stock {
    Low(u32),
    Out,
}

#[subscribe(OrderPlaced)]
fn ship(order: &OrderPlaced, delivery: Delivery) {
    let _ = (order.id, delivery.attempt());
}

#[subscribe(OrderPlaced, Stock)]
async fn audit(event: &dyn AnyEvent) {
    let _ = event.name();
}

#[allow(dead_code)]
async fn emit(processor: RedisProcessor) {
    let emitter = EventEmitter::new(processor);
    emitter.emit(OrderPlaced { id: 1 });
    emitter.emit(Stock::Out);
    let _ = emitter.try_emit(Stock::Low(2));
}

fn main() {}
