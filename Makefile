# Conveniences; README's two commands are `python3 dev.py demo` and `python3 dev.py test`.
.PHONY: demo test bench
demo:
	python3 dev.py demo
test:
	python3 dev.py test
bench:
	python3 dev.py setup && .venv/bin/python -m pip install --quiet -e ".[bench]" && .venv/bin/python benchmarks/engine_vs_fastsim.py --quick
