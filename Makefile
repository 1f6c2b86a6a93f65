# Two entry points: `make run` (the main job) and `make test` (the test suite).
# Each creates the virtual environment it needs on first use.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared/data
NB101_TABLE := $(SHARED)/nasbench101/nb101_test_r0.npz
FASHION_MNIST := $(SHARED)/fashion-mnist

.PHONY: install data run check test docs bench study clean

# Every extra the test suite needs; an issue that adds one to setup.cfg adds it here.
EXTRAS := test,dask,keras,docs,dashboard

$(BIN)/.installed: setup.cfg pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	@echo "creating the virtual environment $(VENV) (once)"
	@$(PYTHON) -m venv $(VENV)
	@echo "installing nasdsl and its dependencies into $(VENV) (TensorFlow, Dask, pygmo: a minute or two, once)"
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -qq -e '.[$(EXTRAS)]'
	@echo "installed"
	@touch $@

install: $(BIN)/.installed

# The NAS-Bench-101 store: imported from the table beside the repository when present,
# else downloaded from the official release. Fashion-MNIST: imported from beside the
# repository when its files are there (else `nasdsl run` downloads it when an experiment
# needs it).
data: install
	@if [ -f "$(NB101_TABLE)" ]; then \
		$(BIN)/nasdsl data nasbench101 --import "$(NB101_TABLE)" --if-missing; \
	else \
		$(BIN)/nasdsl data nasbench101 --download --if-missing; \
	fi
	@if [ -f "$(FASHION_MNIST)/train-images-idx3-ubyte.gz" ]; then \
		$(BIN)/nasdsl data fashion_mnist --import "$(FASHION_MNIST)" --if-missing; \
	fi

run: data
	$(BIN)/nasdsl check experiments/*.nas
	$(BIN)/nasdsl run --quiet experiments/quickstart.nas

check: install
	$(BIN)/nasdsl check experiments/*.nas

# The layers and the absence of import cycles (setup.cfg [importlinter]: one line, the whole
# report only when a contract is broken), then the tests.
test: install
	@out=$$($(BIN)/lint-imports --no-cache --no-logo 2>&1) || { echo "$$out"; exit 1; }; \
		echo "import layers: $$(echo "$$out" | tail -n 1)"
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadfile

# The documentation site: the tables of results regenerated from their sources, then every page
# built into site/; a broken link, a missing page or a stale anchor fails the build.
docs: install
	$(BIN)/python tools/docs_tables.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# The NAS-Bench-101 study: each experiment runs (or resumes from its journal), then one report
# compares them all, with the study's tables, in results/study/ (report.html to read).
STUDY := nb101_evolution nb101_evolution_study_grow nb101_metaheuristics nb101_dqn nb101_dqn_wide

study: data
	@for e in $(STUDY); do \
		echo "== $$e"; $(BIN)/nasdsl run --quiet experiments/$$e.nas || exit 1; \
	done
	$(BIN)/nasdsl report $(addprefix results/,$(STUDY)) --output results/study

# The benchmarks' own dependencies (KerasTuner, the peer bench_multi_fidelity.py compares
# with) are installed here only: the package and its tests do not need them.
bench: data
	@$(BIN)/python -m pip install -qq -e '.[bench]'
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis site
