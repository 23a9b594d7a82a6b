"""Suite-wide plugins: under CI=true a skip is a failure unless it is the Docker-engine one (tests/ci_strict.py)."""

pytest_plugins = ["ci_strict", "pytester"]
