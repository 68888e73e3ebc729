"""The developer tools' commands exist only with the app installed (DEVTOOLS=1 in a shell);
these tests install it for themselves, so the rest of the suite runs with production's apps."""

import pytest


@pytest.fixture(autouse=True)
def _devtools_installed(settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "devtools"]
