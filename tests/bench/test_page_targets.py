"""The benchmark's pages table (bench/run.py): each page read against both references, and its
targets, p95 ≤ 50 ms and requests/s ≥ 40% of the one-query reference's."""

from bench import run


def row(p95_ms, per_second, path="/page"):
    return {"p50": p95_ms * 500, "p95": p95_ms * 1000, "per_second": per_second, "queries": 3,
            "path": path}


def test_a_page_meets_its_targets_only_fast_enough_on_both():
    ping = row(10, 200)
    assert run._met(row(50, 80), ping) == "met"
    assert run._met(row(51, 80), ping) == "**not met** (p95)"
    assert run._met(row(50, 79), ping) == "**not met** (requests/s)"
    assert run._met(row(90, 20), ping) == "**not met** (p95, requests/s)"


def test_each_page_is_read_against_both_references():
    pages = {run.PING: row(10, 200, "/bench/ping"), run.LAYOUT: row(20, 100, "/bench/layout"),
             "Queue (chair)": row(40, 50, "/queue")}
    lines = run._pages_table(pages, "postgresql")
    queue = next(line for line in lines if "`/queue`" in line)
    cells = [cell.strip() for cell in queue.strip("|").split("|")]
    assert cells[4:] == ["50", "25%", "50%", "4.0x", "2.0x", "**not met** (requests/s)"]
    assert sum("| reference |" in line for line in lines) == 2
