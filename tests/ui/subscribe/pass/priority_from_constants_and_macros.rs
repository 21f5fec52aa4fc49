// `priority` takes a named constant, and an integer a `macro_rules!` hands over as `$p:expr` or
// `$p:literal` (inside the invisible group the macro adds).
use std::sync::Mutex;

use pyventus::prelude::*;

static ORDER: Mutex<Vec<&str>> = Mutex::new(Vec::new());

const HIGH: i32 = 100;

#[event]
struct Ranked;

#[subscribe(Ranked, priority = HIGH)]
fn from_a_constant() {
    ORDER.lock().unwrap().push("constant");
}

macro_rules! ranked_expr {
    ($name:ident, $priority:expr) => {
        #[subscribe(Ranked, priority = $priority)]
        fn $name() {
            ORDER.lock().unwrap().push(stringify!($name));
        }
    };
}

macro_rules! ranked_literal {
    ($name:ident, $priority:literal) => {
        #[subscribe(Ranked, priority = $priority)]
        fn $name() {
            ORDER.lock().unwrap().push(stringify!($name));
        }
    };
}

ranked_expr!(from_an_expr, 50);
ranked_expr!(from_an_expression_of_constants, HIGH - 90);
ranked_literal!(from_a_literal, -5);

fn main() {
    EventEmitter::new(InlineProcessor).emit(Ranked);
    assert_eq!(
        *ORDER.lock().unwrap(),
        ["constant", "from_an_expr", "from_an_expression_of_constants", "from_a_literal"]
    );
}
