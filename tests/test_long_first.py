"""Long files are collected first, longest first, and everything else keeps its order (tests/long_first.py)."""

from __future__ import annotations

LONG = """
import pytest
pytestmark = pytest.mark.long(seconds={seconds})

def test_one():
    pass

def test_two():
    pass
"""


def test_long_files_are_collected_first_longest_first(pytester):
    pytester.makepyfile(test_a_quick="def test_quick():\n    pass\n", test_b_long=LONG.format(seconds=60),
                        test_c_quick="def test_also_quick():\n    pass\n", test_d_longest=LONG.format(seconds=240))
    done = pytester.runpytest("-p", "long_first", "--collect-only", "-q")
    ids = [line for line in done.outlines if "::" in line]
    assert ids == ["test_d_longest.py::test_one", "test_d_longest.py::test_two", "test_b_long.py::test_one",
                   "test_b_long.py::test_two", "test_a_quick.py::test_quick", "test_c_quick.py::test_also_quick"], done.outlines
