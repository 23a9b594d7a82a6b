"""Long test files run first. ``scripts/test.sh`` hands whole files to the side-by-side workers in the order
they are collected (``--no-loadscope-reorder``; xdist's own order puts files with many tests first, so a file
of two four-minute tests came last and one worker ran it alone while the other sat idle). A file whose tests
take minutes says so with ``pytestmark = pytest.mark.long(seconds=N)``, N about what it takes on a loaded
2-core machine; those files are collected first, the longest first, and the rest keep their order."""

from __future__ import annotations


def _seconds(item) -> int:
    marker = item.get_closest_marker("long")
    return int(marker.kwargs.get("seconds", 60)) if marker is not None else 0


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "long(seconds): a file of tests that take minutes; it is started first")


def pytest_collection_modifyitems(session, config, items) -> None:
    items.sort(key=lambda item: -_seconds(item))  # stable: a file's tests, and the other files, keep their order
