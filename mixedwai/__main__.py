"""``python -m mixedwai`` runs the command line."""

import sys

from mixedwai.cli import main

sys.exit(main())
