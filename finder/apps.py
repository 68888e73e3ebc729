from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "finder"
    verbose_name = "Finder"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from finder import checks  # noqa: F401 - registers the system checks
        from finder.request_ids import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="forget_request_id")
