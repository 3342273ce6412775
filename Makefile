# Tandem: `make run` starts everything; `make test` runs the whole suite (what .ci/run calls).
PORT ?= 3000
PYTEST_ARGS ?=
export LITELLM_LOCAL_MODEL_COST_MAP := True
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: run test lint check format bench bootstrap

bootstrap:
	@./scripts/bootstrap.sh

run: bootstrap
	@.venv/bin/python -m crmapp.launcher run --port $(PORT)

test:
	@./scripts/bootstrap.sh --test
	@$(MAKE) --no-print-directory check
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

lint: bootstrap check

check:
	@.venv/bin/ruff format --check --quiet .
	@.venv/bin/ruff check --quiet .
	@.venv/bin/mypy --no-error-summary
	@echo "lint: ruff format, ruff check and mypy are clean"

format: bootstrap
	@.venv/bin/ruff format .
	@.venv/bin/ruff check --fix .

bench: bootstrap
	@.venv/bin/python bench/startup.py
	@.venv/bin/python bench/ui_roundtrip.py
	@.venv/bin/python bench/crm_bench.py
	@.venv/bin/python bench/kb_bench.py
	@.venv/bin/python bench/proposal_bench.py
	@.venv/bin/python bench/social_bench.py
	@.venv/bin/python bench/media_bench.py
