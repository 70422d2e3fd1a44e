# Two entry points for a fresh machine: `make run` and `make test`.
# Each creates .venv and installs what it needs; a stamp makes the install idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test test-fast lint typecheck pytest bench clean mail-lab-deps telegram-lab-deps web-lab-deps report-deps

run: $(RUN_STAMP)
	$(BIN)/klachtbot run

test: $(TEST_STAMP) lint typecheck pytest

# The quick subset while working: SQLite only, no mail server or Telegram emulator.
test-fast: $(TEST_STAMP) lint typecheck
	$(BIN)/pytest -q -m "not postgresql and not lab"

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP) mail-lab-deps telegram-lab-deps web-lab-deps report-deps
	KLACHTBOT_TEST_POSTGRES_URL=$(POSTGRES_URL) $(BIN)/pytest

# Dovecot for the mail lab (tests/mail_lab): installed here on a fresh Debian machine when we are
# root; otherwise the mail tests skip (fail under CI=true) and name the install command. A no-op
# once `dovecot` is on PATH. The package's own service is not used: the lab runs its own instance.
mail-lab-deps:
	@if ! command -v dovecot >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Dovecot for the mail lab tests (dovecot-imapd dovecot-lmtpd)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq dovecot-imapd dovecot-lmtpd >/dev/null; \
	fi

# The report's PDF (WeasyPrint) needs Pango; the report tests turn a page into a PNG with
# pdftoppm. Installed here on a fresh Debian machine when we are root and they are missing.
report-deps:
	@if { ! ldconfig -p | grep -q libpangoft2-1.0 || ! command -v pdftoppm >/dev/null; } \
		&& [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Pango and poppler-utils for the report (libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null; \
	fi

# The Telegram Bot API emulator (npm telegram-test-api, tests/telegram_lab): Node from Debian
# when we are root and it is missing, then `npm ci` from the committed lock file once.
TELEGRAM_LAB := tests/telegram_lab
telegram-lab-deps:
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Node.js for the Telegram lab tests (nodejs npm)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	@if command -v npm >/dev/null && [ ! -d $(TELEGRAM_LAB)/node_modules/telegram-test-api ]; then \
		echo "installing the Telegram Bot API emulator for the lab tests (npm ci)"; \
		npm ci --prefix $(TELEGRAM_LAB) --no-audit --no-fund --loglevel=error; \
	fi

# Chromium from Debian for the web desk's browser tests (tests/web, Playwright): installed here
# when we are root and it is missing; otherwise those tests skip (fail under CI=true). Playwright's
# own browser download (`playwright install`) is never used.
web-lab-deps:
	@if ! command -v chromium >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Chromium for the web desk tests (chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.outbox_dispatch

# Long steps say what they do first: a quiet install looks like a hang.
$(VENV)/bin/python:
	@echo "creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "installing klachtbot and what it needs into $(VENV) (about 20 s, once)"
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "installing klachtbot with its test and lint tools into $(VENV) (about a minute, once)"
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
