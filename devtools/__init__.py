"""Developer tooling: the search and import benchmarks, the soak test, synthetic NPPES files.

Not part of the service. Its management commands are offered only with `DEVTOOLS=1` in the
environment (config/settings.py adds the app to INSTALLED_APPS); its modules import the
production apps, never the other way round.
"""
