# The README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format venv clean serve messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_reference_data
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-style serving: gunicorn (config/gunicorn.conf.py) with WhiteNoise static files.
# Needs SECRET_KEY (and usually DATABASE_URL, REDIS_URL, ALLOWED_HOSTS) in the environment.
serve: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m gunicorn config.wsgi:application -c config/gunicorn.conf.py

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Spanish catalogue, after changing translatable text (needs GNU gettext: apt-get install
# gettext). Translate the new entries of locale/es/LC_MESSAGES/django.po, then run it again:
# the compiled .mo is committed, so `make run` and `make test` need no gettext (docs/i18n.md).
messages: $(STAMP)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l es --add-location=file \
		--ignore='tests/*' --ignore='devtools/*' --ignore='static*' --ignore='screenshots/*' \
		--ignore='docs/*'
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l es

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# PNGs of every patient page at phone and desktop widths, in screenshots/ (needs /usr/bin/chromium).
.PHONY: screenshots
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out screenshots
