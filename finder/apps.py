from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "finder"
    verbose_name = "Finder"

    def ready(self) -> None:
        from finder import checks  # noqa: F401 - registers the system checks
