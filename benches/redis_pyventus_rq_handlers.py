"""The event and the handler of `benches/redis_pyventus_rq.py`, in a module of their own so that the
RQ worker processes can import them when they unpickle a job (Pyventus enqueues its `EventEmission`,
which holds the subscriber, which holds this module's `on_tick`).

The handler is trivial: it reads the event's value and counts the call with one Redis `INCR`, so the
bench can tell when every handler call has really run (Pyventus swallows a handler's exception, so a
job that RQ reports as finished does not prove that the handler ran). The worker processes get the
server's address in `PYVENTUS_RQ_BENCH_URL`; the counter's key is `COUNTER_KEY`.
"""

import os
from dataclasses import dataclass

COUNTER_KEY = "pyventus-rq-bench:handled"
URL_VARIABLE = "PYVENTUS_RQ_BENCH_URL"

_client = None


@dataclass
class Tick:
    """The small event: one integer, like the Rust bench's `Tick { n }`."""

    n: int


def on_tick(tick: Tick) -> None:
    """The one subscribed handler: touches the event, then counts the call."""
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ[URL_VARIABLE])
    _ = tick.n
    _client.incr(COUNTER_KEY)
