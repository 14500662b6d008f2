"""The connected-components macro against a union-find written here, on graphs made to be hard.

A throwaway dbt project (DuckDB) links to the repository's macros/ and runs one model that calls
identity_connected_components on two seeds. The graphs hold: a chain far longer than
identity_max_iterations (so only the shortcut passes can finish it), chains numbered against
their order, stars, a cycle, random sparse components, isolated nodes, self-loops, repeated and
reversed edges, and an edge to a node that is not among the nodes (ignored). Ids are text whose
sort order is not their numeric order ("n10" < "n9"), and the answer must be the smallest id by
text order.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.xdist_group("connected_components")

REPOSITORY = Path(__file__).resolve().parents[1]
MAX_ITERATIONS = 60


def _graph(seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    rng = random.Random(seed)
    nodes = [f"n{number}" for number in range(3000)]
    edges: list[tuple[str, str]] = []
    # A chain of 1,000 nodes in shuffled order: 999 passes of plain propagation.
    chain = nodes[:1000]
    rng.shuffle(chain)
    edges += list(zip(chain, chain[1:]))
    # A chain whose smallest id sits at one end and numbers fall towards it.
    descending = list(reversed(nodes[1000:1200]))
    edges += list(zip(descending, descending[1:]))
    # Stars, a cycle, random sparse components.
    for centre in range(1200, 1400, 20):
        edges += [(nodes[centre + offset], nodes[centre]) for offset in range(1, 20)]
    cycle = nodes[1400:1500]
    edges += list(zip(cycle, cycle[1:] + cycle[:1]))
    block = nodes[1500:2500]
    for _ in range(900):
        left, right = rng.sample(block, 2)
        edges.append((left, right))
    # Self-loops, repeated and reversed edges; nodes 2500.. stay isolated.
    edges += [(nodes[2600], nodes[2600]), (nodes[5], nodes[5])]
    edges += [edges[0], (edges[1][1], edges[1][0])]
    edges.append((nodes[2700], "not-a-node"))
    rng.shuffle(edges)
    return nodes, edges


def _expected_components(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        if left in parent and right in parent:
            left_root, right_root = root(left), root(right)
            if left_root != right_root:
                parent[max(left_root, right_root)] = min(left_root, right_root)
    return {node: root(node) for node in nodes}


def _write_project(root: Path, nodes: list[str], edges: list[tuple[str, str]]) -> None:
    (root / "macros").symlink_to(REPOSITORY / "macros")
    (root / "models").mkdir()
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: components_check\nversion: '1.0'\nprofile: components_check\n"
        "macro-paths: [macros]\nmodel-paths: [models]\nseed-paths: [seeds]\n"
        f"vars:\n  identity_max_iterations: {MAX_ITERATIONS}\n"
    )
    (root / "profiles.yml").write_text(
        "components_check:\n  target: duckdb\n  outputs:\n    duckdb:\n      type: duckdb\n"
        f"      path: {root / 'check.duckdb'}\n      threads: 1\n"
    )
    with (root / "seeds" / "graph_nodes.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["node_id"])
        writer.writerows([node] for node in nodes)
        writer.writerow([nodes[7]])  # a node listed twice
    with (root / "seeds" / "graph_edges.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["left_id", "right_id"])
        writer.writerows(edges)
    (root / "models" / "graph_components.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "{%- set labels = identity_connected_components(\n"
        "    nodes=ref('graph_nodes'), node_column='node_id',\n"
        "    edges=ref('graph_edges'), edge_columns=('left_id', 'right_id')) %}\n"
        "select node_id, component_id from {{ labels }}\n"
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_components_match_a_union_find(tmp_path: Path, seed: int) -> None:
    nodes, edges = _graph(seed)
    _write_project(tmp_path, nodes, edges)
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(tmp_path),
         "--profiles-dir", str(tmp_path), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]

    with duckdb.connect(str(tmp_path / "check.duckdb"), read_only=True) as connection:
        rows = connection.execute("select node_id, component_id from graph_components").fetchall()
        working_tables = connection.execute(
            "select table_name from information_schema.tables where table_name like '%\\_\\_%' "
            "escape '\\'"
        ).fetchall()
    assert len(rows) == len(nodes)
    assert dict(rows) == _expected_components(nodes, edges)
    # Only the returned labels are left behind, not the numbering, links or pass tables.
    assert working_tables == [("graph_components__labels",)]
    passes = [
        line
        for line in (tmp_path / "logs" / "dbt.log").read_text().splitlines()
        if "identity_connected_components converged after" in line
    ]
    assert passes, "the macro did not log its number of passes"
