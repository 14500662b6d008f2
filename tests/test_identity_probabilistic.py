"""Splink's probabilistic links on demo data large enough to train on: they add true links only."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.generate import generate
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import connect_warehouse


def test_probabilistic_links_are_correct_and_the_model_is_saved(tmp_path):
    raw_dir, truth_dir = tmp_path / "raw", tmp_path / "truth"
    generate(raw_dir, truth_dir, people=1500, seed=11)
    warehouse = tmp_path / "warehouse" / "working.duckdb"
    warehouse.parent.mkdir()
    environment = {
        **os.environ,
        "CW_RAW_DIR": str(raw_dir),
        "CW_WAREHOUSE_PATH": str(warehouse),
        "CW_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
    }
    command = [
        str(Path(sys.executable).parent / "dbt"), "build", "--select", "+int_identity_edges",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:]

    with connect_warehouse(warehouse) as connection:
        truth = str(truth_dir / "identity_truth.csv")
        correct, wrong = connection.execute(
            """
            with truth as (
                select source_table || ':' || record_key as source_record_id, person_id
                from read_csv($truth, all_varchar = true)
            )
            select
                count(*) filter (where left_truth.person_id = right_truth.person_id),
                count(*) filter (where left_truth.person_id <> right_truth.person_id)
            from intermediate.int_identity_edges as edges
            inner join truth as left_truth
                on edges.source_record_id = left_truth.source_record_id
            inner join truth as right_truth
                on edges.linked_source_record_id = right_truth.source_record_id
            where edges.link_rule = 'probabilistic_match'
            """,
            {"truth": truth},
        ).fetchone()
        parameters = connection.execute(
            "select count(*) from intermediate.int_identity_match_model_parameters "
            "where m_probability is not null"
        ).fetchone()[0]
    assert correct > 10, "the model found no probabilistic links"
    assert wrong <= correct * 0.01, f"{wrong} wrong probabilistic links out of {correct + wrong}"
    assert parameters > 10
    assert (warehouse.parent / "identity_match_model.json").exists()


def _probabilistic_model_module():
    path = (
        PROJECT_ROOT
        / "models"
        / "intermediate"
        / "identity"
        / "int_identity_probabilistic_matches.py"
    )
    spec = importlib.util.spec_from_file_location("int_identity_probabilistic_matches", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_name_training_block_is_thinned_only_above_a_million_pairs():
    """Under the cap every name pair trains the model; above it a hash keeps about 1 in `share`
    of them, in SQL that runs as written (l and r as Splink names the two records)."""
    model = _probabilistic_model_module()
    small = pd.DataFrame(
        {"source_record_id": [f"r{n}" for n in range(100)], "first_name": "ann", "last_name": "lee"}
    )
    assert not isinstance(model._name_training_block(small), str)

    records = 1_500  # one name: 1,124,250 pairs, over the cap of a million: 1 in 2 kept
    large = pd.DataFrame(
        {
            "source_record_id": [f"r{n:05d}" for n in range(records)],
            "first_name": "ann",
            "last_name": "lee",
        }
    )
    rule = model._name_training_block(large)
    assert isinstance(rule, str) and "% 2 = 0" in rule
    with duckdb.connect() as connection:
        connection.register("records", large)
        kept = connection.execute(
            "select count(*) from records as l join records as r "
            f"on l.source_record_id < r.source_record_id and {rule}"
        ).fetchone()[0]
    all_pairs = records * (records - 1) // 2
    assert 0.45 * all_pairs < kept < 0.55 * all_pairs
