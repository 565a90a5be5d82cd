"""Django admin for superusers repairing schedules.

Every change made here goes through the same services as the HMS pages: a booking must be an
offered slot, a move or a status change follows the status machine, nothing can overlap, a
cancellation notifies the patient, and each change is an appointment event with the superuser as
actor. Reads of appointments are in the access log, like the other admin pages with patient data.

The admin forms call the service in `clean()`: the service is both the validation (its refusal is
shown on the form) and the write, and `save_model` has nothing left to do. `ServiceAdminMixin`
runs each POST in one transaction that is rolled back unless the page answers with a redirect, so
a write never stays behind a page that shows an error (an inline formset that failed after the
form, say).
"""

from scheduling.admin import appointments, availability  # noqa: F401 - registers the pages
