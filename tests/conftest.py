"""Suite-wide plugins: under CI=true a skip is a failure unless it is the Docker-engine one (tests/ci_strict.py);
a SIGTERM or SIGHUP stops the run as Ctrl-C does, tearing down what the tests started (tests/stop_cleanly.py);
files marked long are started first (tests/long_first.py)."""

pytest_plugins = ["ci_strict", "stop_cleanly", "long_first", "pytester"]
