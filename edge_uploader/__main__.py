"""``python -m edge_uploader``: the uploader's command line (see ``edge_uploader.cli``)."""

import sys

from .cli import main

sys.exit(main())
