use pyventus::prelude::*;

#[linker(name = "audit")]
struct AuditLinker;

fn main() {}
