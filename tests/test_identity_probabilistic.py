"""Splink's probabilistic links on demo data large enough to train on: they add true links only."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.generate import generate
from orchestration.settings import PROJECT_ROOT


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

    with duckdb.connect(str(warehouse), read_only=True) as connection:
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
