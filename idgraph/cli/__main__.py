"""``python -m idgraph.cli``."""

from idgraph.cli import main

main()
