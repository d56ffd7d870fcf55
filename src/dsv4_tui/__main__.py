"""`python -m dsv4_tui`: the same as the `dsv4` script."""

import sys

from .launch import main

sys.exit(main())
