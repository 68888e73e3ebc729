"""Admin choice fields and widgets that take a hand-edited key as bad input, not a crash.

Django's admin queries with a submitted key before it knows the key is usable: a number past
SQLite's integer range raises OverflowError from the query, and an autocomplete widget re-shown
with a value that is not a number raises ValueError while the page renders. Both were server
errors for a bad form value; here such a number is a field error, the same on
every database, and the widget shows no selection.
"""

from django import forms
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models

# What a query with an unusable key raises before (or instead of) finding nothing.
UNUSABLE_KEY_ERRORS = (ValueError, TypeError, OverflowError)


class KeyCheckedChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if out_of_range(self, value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class KeyCheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        # Django's clean() queries with each key; a list of anything else it refuses itself.
        if isinstance(value, list | tuple):
            for key in value:
                if out_of_range(self, key):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": key},
                    )
        return super().clean(value)


def out_of_range(field: forms.ModelChoiceField, value) -> bool:
    """Whether `value` is a number no 64-bit integer key can hold, for a field keyed by one.
    Checked before any query, so that every database answers alike: SQLite cannot bind such a
    number, and PostgreSQL compares it and finds nothing."""
    if field.queryset is None:  # no choices to look the key up in
        return False
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    if not isinstance(key, models.IntegerField):
        return False
    try:
        return abs(int(str(value).strip())) >= 2**63
    except UNUSABLE_KEY_ERRORS:
        return False


class KeyCheckedAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        try:
            return super().optgroups(name, value, attr)
        except UNUSABLE_KEY_ERRORS:
            return super().optgroups(name, [], attr)


class KeyCheckedChoices(BaseModelAdmin):
    """For a ModelAdmin or inline: its foreign keys and many-to-many fields use the fields and
    the autocomplete widget above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyCheckedChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyCheckedMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
