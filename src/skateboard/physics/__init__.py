"""Pure, vectorised physics in SI units. No state, no I/O; each function cites its source."""
