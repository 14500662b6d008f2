"""cw_phone_e164: the same answers whether numbers are parsed in the build's process or spread
over worker processes, through DuckDB itself, and when a worker dies or sits idle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from random import Random

import duckdb
import pyarrow as pa
import pytest

from orchestration import duckdb_functions
from orchestration.duckdb_functions import PhoneNumberParser, register_functions
from orchestration.generate import make_phone, phone_text
from orchestration.phone_numbers import phone_e164


def _phone_rows(count: int, seed: int = 3) -> list[tuple[str | None, str | None, str | None]]:
    """Numbers as the demo sources write them, in every country, plus the awkward cases."""
    rng = Random(seed)
    rows: list[tuple[str | None, str | None, str | None]] = []
    for number in range(count):
        country = rng.choice(["US", "GB", "DE"])
        with_country = rng.random() < 0.5
        text = phone_text(rng, make_phone(rng, country), with_country)
        rows.append((text, "1", country if with_country else None))
        if number % 50 == 0:
            rows.append((text, "1", country if with_country else None))  # a repeat
    rows += [
        (None, "1", None), ("", "1", None), ("   ", "44", "GB"), ("not a number", "1", None),
        ("1-800-FLOWERS", "1", "US"), ("+1 415 555 0100 ext. 12", "1", None),
        ("0044 20 7946 0958", "1", None), ("020 7946 0958", "44", "GB"),
        ("555-0100", "1", "US"), ("030 12345678", "49", "DE"), ("+49 (0)30 12345678", "1", None),
        ("0151 23456789", "1", "XX"), ("12", None, None),
    ]  # fmt: skip
    return rows


@pytest.fixture
def parser() -> Iterator[PhoneNumberParser]:
    """A parser that sends every vector of 256 unseen numbers or more to two workers."""
    parser = PhoneNumberParser(workers=2, parallel_after=0)
    yield parser
    parser.close()


def _arrays(rows: list[tuple]) -> list[pa.Array]:
    return [pa.array([row[index] for row in rows], type=pa.string()) for index in range(3)]


def test_workers_give_the_answers_of_the_build_process(parser: PhoneNumberParser) -> None:
    rows = _phone_rows(3000)
    answers = parser(*_arrays(rows)).to_pylist()
    assert parser.parsed_in_workers > 0, "the numbers were not sent to worker processes"
    assert answers == [phone_e164(*row) for row in rows]
    assert any(answer is None for answer in answers)
    assert sum(answer is not None for answer in answers) > 2500
    # Remembered answers: a second call parses nothing new.
    parsed = parser.parsed_count
    assert parser(*_arrays(rows[:500])).to_pylist() == answers[:500]
    assert parser.parsed_count == parsed


def test_duckdb_calls_the_function_with_workers(parser: PhoneNumberParser) -> None:
    rows = _phone_rows(20_000, seed=5)
    with duckdb.connect() as connection:
        register_functions(connection, parser)
        connection.execute(
            "create table phones (row_number integer, raw varchar, calling_code varchar, "
            "country_code varchar)"
        )
        connection.executemany(
            "insert into phones values (?, ?, ?, ?)",
            [(number, *row) for number, row in enumerate(rows)],
        )
        answers = connection.execute(
            "select cw_phone_e164(raw, calling_code, country_code) from phones order by row_number"
        ).fetchall()
    assert parser.parsed_in_workers > 10_000
    assert [answer for (answer,) in answers] == [phone_e164(*row) for row in rows]


def test_a_dead_worker_falls_back_to_the_build_process(parser: PhoneNumberParser) -> None:
    rows = _phone_rows(3000, seed=7)
    parser(*_arrays(rows[:1000]))
    assert parser.running_workers
    for worker in parser.running_workers:
        worker.process.kill()
        worker.process.wait()
    answers = parser(*_arrays(rows[1000:])).to_pylist()
    assert answers == [phone_e164(*row) for row in rows[1000:]]
    assert not parser.running_workers and parser.workers_failed


def test_idle_workers_stop(monkeypatch: pytest.MonkeyPatch, parser: PhoneNumberParser) -> None:
    monkeypatch.setattr(duckdb_functions, "IDLE_SECONDS", 0.5)
    parser(*_arrays(_phone_rows(1000, seed=9)))
    processes = [worker.process for worker in parser.running_workers]
    deadline = time.monotonic() + 10
    while parser.running_workers and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not parser.running_workers
    assert all(process.poll() is not None for process in processes)


def test_small_builds_parse_in_their_own_process() -> None:
    parser = PhoneNumberParser(workers=2)
    rows = _phone_rows(2000, seed=11)
    assert parser(*_arrays(rows)).to_pylist() == [phone_e164(*row) for row in rows]
    assert parser.parsed_in_workers == 0 and not parser.running_workers


def test_forgetting_remembered_answers_keeps_every_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past MAX_REMEMBERED the parser forgets what it knew, including numbers of the vector at
    hand that it had seen before: their answers must still come back."""
    monkeypatch.setattr(duckdb_functions, "MAX_REMEMBERED", 300)
    rows = _phone_rows(1000, seed=13)
    parser = PhoneNumberParser(workers=1)
    parser(*_arrays(rows[:200]))
    answers = parser(*_arrays(rows[100:600])).to_pylist()
    assert answers == [phone_e164(*row) for row in rows[100:600]]
    assert len(parser._answers) <= 500
