"""``python -m skateboard.cli``."""

from skateboard.cli import main

main()
