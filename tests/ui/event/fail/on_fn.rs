use pyventus::prelude::*;

#[event]
fn user_created() {}

fn main() {}
