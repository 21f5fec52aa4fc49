use pyventus::prelude::*;

#[event]
struct Temperature(f64, &'static str);

fn main() {
    assert_eq!(Temperature::NAME, "Temperature");
    let event = Temperature(21.5, "kitchen");
    assert_eq!(event.1, "kitchen");
    EventEmitter::new(InlineProcessor).emit(event);
}
