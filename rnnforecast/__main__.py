"""``python -m rnnforecast``: the same as the ``rnnforecast`` console script."""

import sys

from rnnforecast.cli import main

if __name__ == "__main__":
    sys.exit(main())
