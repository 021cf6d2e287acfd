# The README's two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint warehouse browser-deps bench clean

run: $(STAMP)
	$(PY) -m data_pipeline prepare
	$(PY) -m streamlit run server.py

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's Chromium and CJK fonts for browser tests and image export (never a browser download).
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "提示：未找到 chromium 与 fonts-noto-cjk，浏览器与图片导出测试将跳过（sudo apt-get install chromium fonts-noto-cjk）"; fi

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint sql --disable-progress-bar

test: $(DEV_STAMP) browser-deps lint
	$(PY) -m pytest -q

warehouse: $(STAMP)
	$(PY) -m data_pipeline prepare

bench: $(DEV_STAMP)
	$(PY) bench/bench_build.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
