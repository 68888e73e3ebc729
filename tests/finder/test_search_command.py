import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_search_command_uses_the_same_search(world, capsys):
    call_command("search_providers", "78701", "--radius-miles", "25")
    out = capsys.readouterr().out
    assert out.startswith("1 providers")
    assert world["in_range"].display_name in out
    assert "Austin, TX" in out


@pytest.mark.django_db
def test_search_command_reports_bad_input():
    with pytest.raises(CommandError, match="Could not find a US location"):
        call_command("search_providers", "xyz")


@pytest.mark.django_db
def test_search_command_names_each_bad_parameter_in_plain_words():
    with pytest.raises(CommandError) as raised:
        call_command("search_providers", "78701", "--radius-miles", "abc", "--page", "0")
    assert str(raised.value) == (
        "Invalid search:\n  radius_miles: A valid number is required.\n"
        "  page: Ensure this value is greater than or equal to 1."
    )
