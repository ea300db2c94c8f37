"""What a logger logs during a test, with a handler of our own: the suite may run without
pytest's logging plugin (``-p no:logging``), so ``caplog`` is not always there."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def collected(name: str) -> Iterator[Collected]:
    handler = Collected()
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
