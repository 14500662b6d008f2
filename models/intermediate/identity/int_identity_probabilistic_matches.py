"""Fellegi-Sunter matching of named records with Splink (DuckDB backend).

Trains a model on this run's records (prior from exact email/phone agreement, u by random
sampling, m by expectation maximisation blocked on full name, thinned to about a million pairs,
and on phone), saves its parameters to JSON next to the warehouse and as a table, and returns
every candidate pair scored at or above the identity_match_probability_threshold var.
int_identity_edges then keeps only pairs with corroborating evidence
(docs/identity-resolution.md). Too few records to train on (small test data) gives no pairs, and
says so in the log.
"""

import json
import logging
import os
from pathlib import Path

import pandas as pd

PAIR_COLUMNS = [
    "source_record_id_l", "source_record_id_r", "match_probability", "match_weight",
    "first_name_l", "first_name_r", "last_name_l", "last_name_r", "date_of_birth_l",
    "date_of_birth_r", "postcode_l", "postcode_r", "phone_e164_l", "phone_e164_r",
    "email_normalized_l", "email_normalized_r",
]  # fmt: skip
MINIMUM_RECORDS = 500
# int_identity_edges keeps a pair only if it shares a phone, postcode or date of birth and has
# similar first names, so the candidates are exactly those pairs: a shared phone, or a shared
# postcode or date of birth with one exact name. A block on a name alone (last_name; first_name
# and city) grows with the square of the name's frequency: 1.2 billion pairs at a million people,
# almost all of which those rules reject anyway.
PREDICTION_BLOCKING_COLUMNS = [
    ("phone_e164",),
    ("postcode", "last_name"),
    ("postcode", "first_name"),
    ("date_of_birth", "last_name"),
    ("date_of_birth", "first_name"),
]
# Expectation maximisation blocked on the full name learns the m probabilities of every other
# comparison from the pairs sharing a name: 4.5 million pairs and ~35 s at a million people, for
# parameters a million pairs estimate as well. Above this many, a fixed, hash-chosen share of
# the pairs is used (docs/identity-resolution.md); below it, all of them.
MAX_NAME_TRAINING_PAIRS = 1_000_000


def _settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="source_record_id",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city"),
            cl.EmailComparison("email_normalized"),
            cl.ExactMatch("phone_e164"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on(*columns) for columns in PREDICTION_BLOCKING_COLUMNS
        ],
        retain_intermediate_calculation_columns=False,
    )


def _name_training_block(candidates: pd.DataFrame):
    """The full-name training block, thinned to about MAX_NAME_TRAINING_PAIRS pairs.

    A pair is kept when the hash of its two record ids falls in one of `share` buckets: the same
    pairs on every run over the same records, and no name favoured over another.
    """
    from splink import block_on

    names = candidates[["first_name", "last_name"]].dropna()
    sizes = names.groupby(["first_name", "last_name"]).size().to_numpy(dtype="int64")
    pair_count = int((sizes * (sizes - 1) // 2).sum())
    share = -(-pair_count // MAX_NAME_TRAINING_PAIRS)
    if share <= 1:
        return block_on("first_name", "last_name")
    return (
        "l.first_name = r.first_name and l.last_name = r.last_name "
        f"and hash(l.source_record_id, r.source_record_id) % {share} = 0"
    )


def _train_and_predict(candidates: pd.DataFrame, threshold: float, seed: int):
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    # Splink's own DuckDB gets the warehouse's memory limit and spills under its temp directory;
    # left to DuckDB's defaults it takes 80% of the machine and spills into the working directory.
    temp_directory = os.environ.get("CW_DUCKDB_TEMP_DIR", "data/warehouse/tmp")
    spill_directory = os.path.join(temp_directory, "splink")
    connection = duckdb.connect(
        config={
            "memory_limit": os.environ.get("CW_DUCKDB_MEMORY_LIMIT", "6GB"),
            "temp_directory": spill_directory,
            "preserve_insertion_order": False,
        }
    )
    # Closed as soon as the pairs are out: the rest of the build runs in this process, and an
    # open connection keeps its buffer pool (up to the memory limit) beside the warehouse's.
    try:
        database = DuckDBAPI(connection)
        linker = Linker(database.register(candidates), _settings(), log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("email_normalized"), block_on("phone_e164")], recall=0.6
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        linker.training.estimate_parameters_using_expectation_maximisation(
            _name_training_block(candidates)
        )
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone_e164"))
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        pairs = predictions.as_pandas_dataframe()
        model_json = linker.misc.save_model_to_json()
    finally:
        connection.close()
    return model_json, pairs


def _parameters_table(model: dict) -> pd.DataFrame:
    rows = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            rows.append(
                {
                    "comparison": comparison["output_column_name"],
                    "comparison_level": level.get("label_for_charts", level["sql_condition"]),
                    "is_null_level": bool(level.get("is_null_level", False)),
                    "m_probability": level.get("m_probability"),
                    "u_probability": level.get("u_probability"),
                }
            )
    return pd.DataFrame(rows)


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt only passes config keys read by a call standing on its own line (it scans the source).
    configured_threshold = dbt.config.get("identity_match_probability_threshold")
    threshold = float(configured_threshold or 0.99)
    candidates = dbt.ref("int_identity_match_candidates").df()
    empty = pd.DataFrame({column: pd.Series(dtype="object") for column in PAIR_COLUMNS})
    empty["match_probability"] = empty["match_probability"].astype("float64")
    empty["match_weight"] = empty["match_weight"].astype("float64")
    if len(candidates) < MINIMUM_RECORDS:
        print(
            f"int_identity_probabilistic_matches: {len(candidates)} named records, fewer than "
            f"{MINIMUM_RECORDS}: too few to train a match model; no probabilistic links this run"
        )
        return empty
    model_json, pairs = _train_and_predict(candidates, threshold, seed=7)
    model_dir = Path(
        os.environ.get(
            "CW_IDENTITY_MODEL_DIR",
            Path(os.environ.get("CW_WAREHOUSE_PATH", "data/warehouse/working.duckdb")).parent,
        )
    )
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "identity_match_model.json").write_text(json.dumps(model_json, indent=2))
    parameters = _parameters_table(model_json)
    session.register("identity_match_parameters", parameters)
    session.execute(
        f"create or replace table {dbt.this.schema}.int_identity_match_model_parameters as "
        "select * from identity_match_parameters"
    )
    session.unregister("identity_match_parameters")
    if pairs.empty:
        return empty
    return pairs[PAIR_COLUMNS].astype({"match_probability": "float64", "match_weight": "float64"})
