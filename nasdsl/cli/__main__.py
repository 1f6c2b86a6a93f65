"""`python -m nasdsl.cli …`, the same as the `nasdsl` command."""
import sys

from nasdsl.cli import main

sys.exit(main())
