"""SQL functions the warehouse registers on every dbt-duckdb connection (profiles.yml `plugins`).

`cw_phone_e164(raw, calling_code, country_code)`: a phone number as written, to E.164, parsed by
libphonenumber (orchestration/phone_numbers.py) rather than guessed in SQL.

libphonenumber is pure Python (about 25 µs a number) and holds the interpreter lock: at a
million people the staging models parse about 1.5 million distinct numbers, most of a minute on
one core while DuckDB's other thread waits for the lock. So the function takes DuckDB's vectors
whole (an Arrow function), parses each distinct number once and remembers the answer. Once one
build has parsed `PARALLEL_AFTER_NUMBERS` numbers, each vector's unseen numbers go to one of a
few worker processes (`python orchestration/phone_numbers.py`, which imports only
`phonenumbers`, over pipes): DuckDB calls the function from several threads at once, and each
waits for its worker without holding the lock. Workers stop after `IDLE_SECONDS` without work,
and when the build ends (their input closes). If a worker fails, numbers are parsed in the
build's own process from then on: the answers are the same either way
(tests/test_phone_numbers.py).
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from orchestration.phone_numbers import PhoneKey, phones_e164

PARALLEL_AFTER_NUMBERS = 50_000  # numbers one build parses before worker processes start
PARALLEL_MIN_BATCH = 256  # unseen numbers in one vector worth sending to a worker
IDLE_SECONDS = 10.0  # workers stop after this long without a number to parse
MAX_REMEMBERED = 1_000_000  # answers kept (then all forgotten at once: ~200 MB at most)
WORKER_SCRIPT = Path(__file__).with_name("phone_numbers.py")
_UNSEEN = object()


class PhoneNumberWorker:
    """One worker process: a JSON list of numbers in, a JSON list of answers out, per line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def parse(self, keys: list[PhoneKey]) -> list[str | None]:
        self.process.stdin.write(json.dumps(keys) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"phone number worker {self.process.pid} ended unexpectedly")
        answers = json.loads(line)
        if len(answers) != len(keys):
            raise RuntimeError("a phone number worker returned the wrong number of answers")
        return answers

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class PhoneNumberParser:
    """`cw_phone_e164` over DuckDB vectors: remembered answers, worker processes for volume."""

    def __init__(self, workers: int | None = None, parallel_after: int = PARALLEL_AFTER_NUMBERS):
        self.worker_count = workers if workers is not None else (os.cpu_count() or 1)
        self.parallel_after = parallel_after
        self.parsed_count = 0
        self.parsed_in_workers = 0
        self.workers_failed = False
        self._answers: dict[PhoneKey, str | None] = {}
        self._workers: list[PhoneNumberWorker] = []
        self._idle_workers: queue.SimpleQueue[PhoneNumberWorker] = queue.SimpleQueue()
        self._last_used = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, raw: pa.Array, calling_code: pa.Array, country_code: pa.Array) -> pa.Array:
        keys = list(
            zip(raw.to_pylist(), calling_code.to_pylist(), country_code.to_pylist(), strict=True)
        )
        # Answers for this vector are collected apart from the remembered ones, which another
        # DuckDB thread may forget (clear) at any moment.
        vector_answers: dict[PhoneKey, str | None] = {}
        unseen: list[PhoneKey] = []
        for key in dict.fromkeys(keys):
            answer = self._answers.get(key, _UNSEEN)
            if answer is _UNSEEN:
                unseen.append(key)
            else:
                vector_answers[key] = answer
        if unseen:
            parsed = dict(zip(unseen, self._parse(unseen), strict=True))
            vector_answers.update(parsed)
            if len(self._answers) + len(parsed) > MAX_REMEMBERED:
                self._answers.clear()
            self._answers.update(parsed)
        return pa.array([vector_answers[key] for key in keys], type=pa.string())

    @property
    def running_workers(self) -> list[PhoneNumberWorker]:
        return list(self._workers)

    def _parse(self, keys: list[PhoneKey]) -> list[str | None]:
        self.parsed_count += len(keys)
        if (
            self.worker_count < 2
            or self.workers_failed
            or len(keys) < PARALLEL_MIN_BATCH
            or self.parsed_count < self.parallel_after
        ):
            return phones_e164(keys)
        worker = self._take_worker()
        if worker is None:
            return phones_e164(keys)
        try:
            parsed = worker.parse(keys)
        except (OSError, RuntimeError, ValueError):
            # A failed worker must not fail the build: parse in this process from now on.
            self.workers_failed = True
            self.close()
            return phones_e164(keys)
        self._last_used = time.monotonic()
        self._idle_workers.put(worker)
        self.parsed_in_workers += len(keys)
        return parsed

    def _take_worker(self) -> PhoneNumberWorker | None:
        """An idle worker (started on first use); None once the workers have failed."""
        with self._lock:
            if self.workers_failed:
                return None
            if not self._workers:
                self._workers = [PhoneNumberWorker() for _ in range(self.worker_count)]
                for worker in self._workers:
                    self._idle_workers.put(worker)
                threading.Thread(target=self._stop_when_idle, daemon=True).start()
            self._last_used = time.monotonic()
        while True:
            try:
                return self._idle_workers.get(timeout=1.0)
            except queue.Empty:
                if self.workers_failed or not self._workers:
                    return None

    def _stop_when_idle(self) -> None:
        while True:
            time.sleep(1.0)
            with self._lock:
                if not self._workers:
                    return
                if (
                    time.monotonic() - self._last_used > IDLE_SECONDS
                    and self._idle_workers.qsize() == len(self._workers)
                ):
                    self._close_workers()
                    return

    def _close_workers(self) -> None:
        while not self._idle_workers.empty():
            self._idle_workers.get_nowait()
        for worker in self._workers:
            worker.close()
        self._workers = []

    def close(self) -> None:
        with self._lock:
            self._close_workers()


PHONE_NUMBER_PARSER = PhoneNumberParser()


def register_functions(
    connection: DuckDBPyConnection, parser: PhoneNumberParser = PHONE_NUMBER_PARSER
) -> None:
    connection.create_function(
        "cw_phone_e164",
        parser,
        ["VARCHAR", "VARCHAR", "VARCHAR"],
        "VARCHAR",
        type="arrow",
        null_handling="special",
        side_effects=False,
    )


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_functions(conn)
