"""hms.lib.emails, hms.lib.spreadsheets and the outbox key in an e-mail's Message-ID."""

import csv
import io

import pytest
from django.core import mail

from hms.lib import emails
from hms.lib.outbox.registry import current_key
from hms.lib.spreadsheets import csv_safe, streamed_csv

pytestmark = pytest.mark.django_db


def test_an_email_names_the_hospital_and_has_text_and_html(settings):
    from django.contrib.auth import get_user_model

    settings.HOSPITAL_NAME = "St Elsewhere"
    user = get_user_model().objects.create(
        email="new.doctor@example.com", first_name="Ada", last_name="Lovelace"
    )

    emails.send(
        "invitation",
        to="new.doctor@example.com",
        subject="Your account is ready",
        context={"user": user, "link": "https://hms.example.org/x", "valid_days": 3},
    )

    (message,) = mail.outbox
    assert message.to == ["new.doctor@example.com"]
    assert message.subject.endswith("Your account is ready")
    assert "St Elsewhere" in message.alternatives[0][0]
    assert "https://hms.example.org/x" in message.body
    assert "Message-ID" not in message.extra_headers  # not sent by the outbox: no key


def test_the_same_outbox_key_gives_the_same_message_id_every_time():
    token = current_key.set("appointment:7:booked:patient")
    try:
        for _ in range(2):  # a first send, and a copy after a crash
            emails.send_rendered(
                subject="s", body="b", html="", to=["p@example.com"], from_email="x@hms.local"
            )
    finally:
        current_key.reset(token)

    first, second = (m.extra_headers["Message-ID"] for m in mail.outbox)
    assert first == second == emails.message_id("appointment:7:booked:patient")
    assert emails.message_id("appointment:7:cancelled:patient") != first


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("@x", "'@x"), ("plain", "plain"), (None, "")],
)
def test_csv_cells_cannot_be_formulas(value, expected):
    assert csv_safe(value) == expected


def test_a_streamed_csv_is_a_private_download():
    response = streamed_csv(iter([["a", "b"], ["1", "2"]]), "rows.csv")

    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [["a", "b"], ["1", "2"]]
    assert response["Content-Disposition"] == 'attachment; filename="rows.csv"'
    assert response["Cache-Control"] == "no-store, private"
