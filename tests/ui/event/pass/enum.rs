use pyventus::prelude::*;

#[event]
#[derive(Debug)]
enum Connection {
    Opened { port: u16 },
    Failed(String),
    Closed,
}

fn main() {
    assert_eq!(Connection::NAME, "Connection");
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Connection::Opened { port: 8080 });
    emitter.emit(Connection::Failed("refused".into()));
    emitter.emit(Connection::Closed);
}
