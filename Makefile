# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WAREHOUSE ?= data

.PHONY: setup demo test bench clean

# A virtual environment with the project and its test tools, rebuilt when
# pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Build the warehouse from the shipped samples and show what it holds.
demo: setup
	$(BIN)/speech-etl ingest samples --warehouse $(WAREHOUSE)
	$(BIN)/speech-etl sql "SELECT doc_type, source_format, count(*) AS documents, sum(pages) AS pages, sum(char_count) AS characters FROM documents GROUP BY ALL ORDER BY 1, 2" --warehouse $(WAREHOUSE)

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(WAREHOUSE) .pytest_cache .hypothesis
