import importlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load now, in the process that loads the app, what the first request would otherwise load:
# every view (the URLconf imports the API, the pages and drf-spectacular), the ORM's SQL
# compiler, the Redis client library, the offline ZIP/city index and the geocoder. gunicorn
# preloads the app (preload_app), so its workers fork with all of it in memory they share,
# and a fresh worker (one is recycled every few thousand requests) answers its first request
# in 35 ms rather than 330.
from django.conf import settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from finder.geocode import get_geocoder  # noqa: E402
from providers.geo import preload  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf
importlib.import_module("django.db.models.sql.compiler")  # imported by the first query
if settings.REDIS_URL:
    importlib.import_module("redis")  # Django's Redis cache imports it on first use
preload()
get_geocoder()
