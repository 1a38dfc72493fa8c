"""``python -m idgraph``."""

from idgraph.cli import main

main()
