use pyventus::prelude::*;

#[linker]
struct TenantLinker<T>(std::marker::PhantomData<T>);

fn main() {}
