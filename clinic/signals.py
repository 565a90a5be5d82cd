"""Signals clinic sends so that higher apps (scheduling) can react without clinic importing them."""

from django.dispatch import Signal

# Sent before a doctor is blocked or removed, to count what would be affected.
# Receivers return a list of lines (str, or hms.lib.confirm.Line to end in a link).
doctor_pending_work = Signal()  # kwargs: doctor
# Sent after a doctor was blocked or removed (inside the transaction), so that higher apps can act.
doctor_deactivated = Signal()  # kwargs: doctor, action, by
# Sent by every view that shows or changes a patient's data, for the access log (records app).
# kwargs: request, patient, action ("view"/"change"/...), obj (None for a list) and optionally
# object_type ("patient_profile" by default; "appointment" from scheduling's admin; "calendar_feed"
# from a calendar app fetching a feed, which also passes `actor` (the feed's owner), `role`,
# `allowed`, since that request has no signed-in user, and `path` without the feed's token).
patient_data_accessed = Signal()
