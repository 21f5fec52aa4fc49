use std::rc::Rc;

use pyventus::prelude::*;

#[event]
struct Shared(Rc<String>);

fn main() {}
