use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq)]
struct UserCreated {
    name: String,
    id: u64,
}

fn main() {
    assert_eq!(UserCreated::NAME, "UserCreated");
    let event = UserCreated { name: "ada".into(), id: 1 };
    assert_eq!(event.clone(), event);
    EventEmitter::new(InlineProcessor).emit(event);
}
