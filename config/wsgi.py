import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Build the offline ZIP/city index (about a second) when a worker starts, not on the first
# patient's search.
from providers.geo import preload  # noqa: E402

preload()
