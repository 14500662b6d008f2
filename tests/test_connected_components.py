"""The connected-components macro against a union-find written here, on graphs made to be hard.

A throwaway dbt project (DuckDB) links to the repository's macros/ and runs one model that calls
identity_connected_components on two seeds. The graphs hold: a chain far longer than
identity_max_iterations (so only the shortcut passes can finish it), chains numbered against
their order, stars, a cycle, random sparse components, isolated nodes, self-loops, repeated and
reversed edges, and an edge to a node that is not among the nodes (ignored). Ids are text whose
sort order is not their numeric order ("n10" < "n9"), and the answer must be the smallest id by
text order.

A second build on a changed graph takes the incremental path (only touched components are
resolved again) and must still equal the union-find of the changed graph: splits, merges, removed
nodes, a new smallest id, and a node added at the far end of an edge that was ignored before.
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
    edges += list(zip(chain, chain[1:], strict=False))
    # A chain whose smallest id sits at one end and numbers fall towards it.
    descending = list(reversed(nodes[1000:1200]))
    edges += list(zip(descending, descending[1:], strict=False))
    # Stars, a cycle, random sparse components.
    for centre in range(1200, 1400, 20):
        edges += [(nodes[centre + offset], nodes[centre]) for offset in range(1, 20)]
    cycle = nodes[1400:1500]
    edges += list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
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
    _write_graph(root, nodes, edges)
    (root / "models" / "graph_components.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "{%- set labels = identity_connected_components(\n"
        "    nodes=ref('graph_nodes'), node_column='node_id',\n"
        "    edges=ref('graph_edges'), edge_columns=('left_id', 'right_id')) %}\n"
        "select node_id, component_id from {{ labels }}\n"
    )


def _write_graph(root: Path, nodes: list[str], edges: list[tuple[str, str]]) -> None:
    with (root / "seeds" / "graph_nodes.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["node_id"])
        writer.writerows([node] for node in nodes)
        writer.writerow([nodes[7]])  # a node listed twice
    with (root / "seeds" / "graph_edges.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["left_id", "right_id"])
        writer.writerows(edges)


def _changed_graph(
    nodes: list[str], edges: list[tuple[str, str]], seed: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """The next run's graph: what a day of new and changed records does to the identity graph."""
    rng = random.Random(seed + 100)
    chain_edge = next(edge for edge in edges if edge[0] in nodes[:1000] and edge[1] in nodes[:1000])
    star_centre = nodes[1240]
    removed_nodes = {star_centre, nodes[2550]}  # a star's centre and an isolated node
    changed = [
        edge for edge in edges if edge != chain_edge and not removed_nodes.intersection(edge)
    ]
    # An edge reversed (same link), a merge of two stars, a merge through a new node.
    changed[changed.index(edges[-1]) if edges[-1] in changed else 0] = changed[0][::-1]
    changed += [(nodes[1200], nodes[1380]), (nodes[1300], "n9000"), ("n9000", nodes[1420])]
    # A new node that is the smallest id of its component, new isolated nodes and a new pair.
    changed += [("m1", nodes[1600]), ("n9001", "n9002")]
    new_nodes = ["m1", "n9000", "n9001", "n9002", "n9003", "not-a-node"]
    # Random edges within the sparse block: merges there too.
    block = nodes[1500:2500]
    changed += [tuple(rng.sample(block, 2)) for _ in range(5)]
    return [node for node in nodes if node not in removed_nodes] + new_nodes, changed


def _build(root: Path, *arguments: str) -> str:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(root),
         "--profiles-dir", str(root), "--target-path", str(root / "target"),
         "--log-path", str(root / "logs"), *arguments],
        capture_output=True, text=True, cwd=root,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    return completed.stdout


def _components(root: Path) -> dict[str, str]:
    with duckdb.connect(str(root / "check.duckdb"), read_only=True) as connection:
        rows = connection.execute("select node_id, component_id from graph_components").fetchall()
    assert len(rows) == len({node for node, _ in rows})
    return dict(rows)


def _log_lines(root: Path, text: str) -> list[str]:
    return [line for line in (root / "logs" / "dbt.log").read_text().splitlines() if text in line]


@pytest.mark.parametrize("seed", [1, 2])
def test_components_match_a_union_find(tmp_path: Path, seed: int) -> None:
    nodes, edges = _graph(seed)
    _write_project(tmp_path, nodes, edges)
    _build(tmp_path)

    assert _components(tmp_path) == _expected_components(nodes, edges)
    with duckdb.connect(str(tmp_path / "check.duckdb"), read_only=True) as connection:
        working_tables = connection.execute(
            "select table_name from information_schema.tables where table_name like '%\\_\\_%' "
            "escape '\\' order by 1"
        ).fetchall()
    # Only the labels and the pairs they were resolved from are left behind.
    assert working_tables == [("graph_components__labels",), ("graph_components__resolved_edges",)]
    assert _log_lines(tmp_path, "identity_connected_components converged after"), (
        "the macro did not log its number of passes"
    )
    assert _log_lines(tmp_path, "identity_connected_components resolved every node")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_changed_graph_resolves_only_touched_components(tmp_path: Path, seed: int) -> None:
    nodes, edges = _graph(seed)
    _write_project(tmp_path, nodes, edges)
    _build(tmp_path)
    changed_nodes, changed_edges = _changed_graph(nodes, edges, seed)
    expected = _expected_components(changed_nodes, changed_edges)
    assert expected != _expected_components(nodes, edges)
    _write_graph(tmp_path, changed_nodes, changed_edges)
    (tmp_path / "logs" / "dbt.log").unlink()

    _build(tmp_path)

    assert _components(tmp_path) == expected
    [resolved] = _log_lines(tmp_path, "identity_connected_components re-resolved")
    resolved_count = int(resolved.split("re-resolved ")[1].split()[0])
    # The long chain (split), the stars and the sparse block are touched; the rest is not.
    assert 0 < resolved_count < len(changed_nodes) * 0.8, resolved

    # A third run with nothing changed resolves nothing; a full refresh agrees.
    (tmp_path / "logs" / "dbt.log").unlink()
    _build(tmp_path)
    assert _log_lines(tmp_path, "re-resolved 0 nodes")
    assert _components(tmp_path) == expected
    _build(tmp_path, "--full-refresh")
    assert _components(tmp_path) == expected
