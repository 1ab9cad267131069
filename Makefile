# Conveniences; README's commands are `python3 dev.py demo`, `python3 dev.py test` and `python3 dev.py serve`.
.PHONY: demo test serve bench
demo:
	python3 dev.py demo
test:
	python3 dev.py test
serve:
	python3 dev.py serve
bench:
	python3 dev.py setup && .venv/bin/python -m pip install --quiet -e ".[bench]" && .venv/bin/python benchmarks/engine_vs_fastsim.py --quick
