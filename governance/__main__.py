"""``python -m governance plan …``: the ``ets plan`` commands without the rest of ``ets``."""

import sys

from .cli import main

sys.exit(main())
