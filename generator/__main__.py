"""`python -m generator`: the same as the `asyncio-service` command."""

import sys

from generator.cli import main

sys.exit(main())
