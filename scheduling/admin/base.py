"""The admin forms call the service in `clean()`: the service is both the validation (its refusal
is shown on the form) and the write. See scheduling/admin/__init__.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect

from scheduling import services


class ServiceFormMixin:
    """A ModelForm whose clean() performs the write through a service (see the module doc)."""

    by = None  # the superuser, set by the admin's get_form()
    result = None

    def _post_clean(self) -> None:
        """No model validation on top: the service validated and saved (checking the instance
        against the constraints now would find the row the service just wrote)."""

    def _apply(self, write) -> None:
        try:
            self.result = write()
        except services.SchedulingError as exc:
            raise ValidationError(str(exc)) from exc

    def save_m2m(self) -> None:
        """Nothing: these models have no many-to-many fields, and the service saved."""


class ServiceAdminMixin:
    """save_model and save_related for forms that saved through a service in clean()."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if request.method == "POST" and response.status_code != 302:
                transaction.set_rollback(True)  # the page shows an error: nothing is kept
        return response

    def response_change(self, request, obj):
        # A move replaces the appointment: "Save and continue editing" opens the new one.
        if "_continue" in request.POST and str(obj.pk) != request.resolver_match.kwargs.get(
            "object_id"
        ):
            opts = obj._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().response_change(request, obj)

    def save_form(self, request, form, change):
        return form.result if form.result is not None else form.instance

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in form.clean()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
