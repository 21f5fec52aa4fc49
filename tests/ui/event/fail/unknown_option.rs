use pyventus::prelude::*;

#[event(name = "user.created")]
struct UserCreated;

fn main() {}
