# Two commands for a newcomer: `make run` (install, train if needed, start everything) and `make test`.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
RASA  := $(VENV)/bin/rasa
PIP   := $(PY) -m pip --disable-pip-version-check -q
# Rasa 3.6 pins SQLAlchemy 1.4 and trips its 2.0 deprecation banner on every start.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# No usage data to Rasa's makers (python -m bot sets the same in bot/settings.py).
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test install install-test system-test-deps production-test-deps train evaluate bench clean

run: install train
	$(PY) -m bot run

test: install-test system-test-deps production-test-deps train
	$(VENV)/bin/ruff check .
	$(PY) -m bot knowledge check
	$(RASA) data validate --fail-on-warnings --config config.yml --domain domain.yml --data data
	$(PY) -m pytest -p no:cacheprovider
	$(RASA) test core --model models/qianjin.tar.gz --stories tests/conversations --fail-on-prediction-errors --out results/core
	$(PY) -m bot evaluate --heldout-only

# Intent accuracy and macro-F1 on the held-out test set plus 5-fold cross-validation (slow: five trainings).
evaluate: install train
	$(PY) -m bot evaluate

train: install
	$(PY) -m bot train

# Latency, throughput, training time, cold start, memory and answer accuracy, printed as one table (minutes).
bench: install train
	$(PY) -m bot bench

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# rasa 3.6.21 needs Python 3.10: take python3.10 from PATH, from pyenv, or from PYTHON310=/path/to/python3.10.
$(PY):
	@py=""; \
	for c in "$${PYTHON310:-}" python3.10 "$$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 "$$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10; do \
	  if [ -n "$$c" ] && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "Python 3.10 not found (rasa 3.6 supports no newer Python): install it (e.g. 'pyenv install 3.10.13') or set PYTHON310=/path/to/python3.10." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt pip setuptools wheel
	$(PIP) install -c constraints.txt -e .
	$(PY) -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	$(PY) -m pip check
	touch $@

# The browser tests drive Debian's Chromium (nothing downloads a browser) and need CJK fonts to render Chinese.
system-test-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  echo "Installing chromium and fonts-noto-cjk (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# The production-profile tests (tests/production) start their own PostgreSQL cluster and Redis server.
production-test-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then \
	  echo "Installing postgresql and redis-server (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq postgresql redis-server >/dev/null; \
	fi

clean:
	rm -rf models results .pytest_cache
