"""Pyventus's cost per emit, for the comparison row of BENCHMARKS.md.

The same scenario as the `1 handler` row of `benches/emit.rs`: one handler of one event, which adds the
event's value to a total, emitted through an emitter whose processor calls the handler in place (the
custom processing service of Pyventus's "Event Emitters" page). Prints the fastest of several rounds.

Run with: `pip install pyventus` then `python3 benches/pyventus_emit.py`.
"""

import asyncio
import time
from dataclasses import dataclass

from pyventus.core.processing import ProcessingService
from pyventus.events import EventEmitter, EventLinker

ROUNDS = 5
EMITS = 20_000


class InlineProcessingService(ProcessingService):
    """Runs each handler call in place, as the page's custom processor does."""

    def submit(self, callback, *args, **kwargs):
        result = callback(*args, **kwargs)
        if asyncio.iscoroutine(result):
            asyncio.run(result)


@dataclass
class OneLoopProcessingService(ProcessingService):
    """Runs each handler call in place on one event loop made once (Pyventus's emission callback is a
    coroutine that gathers the handlers): the fastest inline processor we could write for it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def submit(self, callback, *args, **kwargs):
        result = callback(*args, **kwargs)
        if asyncio.iscoroutine(result):
            self.loop.run_until_complete(result)


@dataclass
class OneHandler:
    value: int


total = 0


def only(event):
    global total
    total += event.value


def measure(processor):
    emitter = EventEmitter(event_processor=processor)
    emitter.emit(OneHandler(0))
    before = total
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(EMITS):
            emitter.emit(OneHandler(1))
        best = min(best, (time.perf_counter() - start) / EMITS)
    assert total - before == ROUNDS * EMITS
    return best


def main():
    EventLinker.subscribe(OneHandler, event_callback=only)
    version = __import__("pyventus").__version__
    for name, processor in [
        ("the page's custom processor (asyncio.run per call)", InlineProcessingService()),
        ("one event loop reused for every call", OneLoopProcessingService()),
    ]:
        best = measure(processor)
        print(f"pyventus {version}, {name}: {best * 1e9:.0f} ns per emit "
              f"(1 handler, fastest of {ROUNDS} rounds of {EMITS})")


if __name__ == "__main__":
    main()
