"""CompleteFormSetMixin on a plain model formset (Django's Group model, no HMS app needed)."""

import pytest
from django import forms
from django.contrib.auth.models import Group

from hms.lib.formsets import INCOMPLETE, CompleteFormSetMixin

pytestmark = pytest.mark.django_db


class BaseGroupFormSet(CompleteFormSetMixin, forms.BaseModelFormSet):
    pass


GroupFormSet = forms.modelformset_factory(
    Group,
    fields=["name"],
    formset=BaseGroupFormSet,
    extra=1,
    can_delete=True,
    max_num=10,
    absolute_max=10,
)


@pytest.fixture
def groups():
    return [Group.objects.create(name=n) for n in ("Alpha", "Beta")]


def data(groups, **overrides):
    sent = {"form-TOTAL_FORMS": str(len(groups) + 1), "form-INITIAL_FORMS": str(len(groups))}
    for i, group in enumerate(groups):
        sent |= {f"form-{i}-id": str(group.pk), f"form-{i}-name": group.name}
    return {**sent, **overrides}


def formset(sent):
    return GroupFormSet(sent, queryset=Group.objects.filter(name__in=["Alpha", "Beta"]))


def test_a_complete_post_is_valid_and_says_what_to_keep_and_delete(groups):
    bound = formset(data(groups, **{"form-1-DELETE": "on", "form-2-name": "Gamma"}))

    assert bound.is_valid(), bound.errors
    assert [f.cleaned_data["name"] for f in bound.kept_forms()] == ["Alpha", "Gamma"]
    assert bound.deleted_pks() == [groups[1].pk]


@pytest.mark.parametrize(
    "overrides",
    [
        {"form-TOTAL_FORMS": "0"},
        {"form-TOTAL_FORMS": "-3"},
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1"},
        {"form-INITIAL_FORMS": "1"},
        {"form-1-id": "0"},
    ],
    ids=["none", "negative", "one-missing", "fewer-initial", "unknown-id"],
)
def test_a_post_that_leaves_out_existing_rows_is_an_error(groups, overrides):
    bound = formset(data(groups, **overrides))

    assert not bound.is_valid()


def test_a_row_sent_twice_is_an_error(groups):
    bound = formset(data(groups, **{"form-1-id": str(groups[0].pk)}))

    assert not bound.is_valid()
    assert INCOMPLETE in bound.non_form_errors()


def test_with_blank_form_counts_one_more_form_up_to_the_limit():
    from django.http import QueryDict

    from hms.lib.formsets import with_blank_form

    sent = QueryDict("form-TOTAL_FORMS=2&form-0-name=Alpha")
    more = with_blank_form(sent, "form", limit=3)
    assert more["form-TOTAL_FORMS"] == "3" and more["form-0-name"] == "Alpha"
    assert sent["form-TOTAL_FORMS"] == "2"  # the request's own data is left alone
    assert with_blank_form(more, "form", limit=3)["form-TOTAL_FORMS"] == "3"
    for malformed in ("x", "-1", ""):
        same = QueryDict(f"form-TOTAL_FORMS={malformed}")
        assert with_blank_form(same, "form", limit=3) is same


def test_show_as_typed_draws_a_formset_back_without_validating_it(groups):
    from hms.lib.forms import show_as_typed

    sent = formset(data(groups, **{"form-0-name": "", "form-1-name": "Beta renamed"}))

    show_as_typed(sent)

    assert sent.non_form_errors() == [] and all(not form.errors for form in sent.forms)
    html = str(sent)
    assert 'value="Beta renamed"' in html
    assert "This field is required" not in html
