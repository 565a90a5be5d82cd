import time

import pytest
from django.urls import reverse

from accounts.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db


def _idle(client, seconds):
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds
    session.save()


@pytest.mark.parametrize(
    ("role", "limit_minutes"), [("doctor", 15), ("hospital_admin", 15), ("patient", 30)]
)
def test_users_are_signed_out_after_their_idle_limit(request, client, role, limit_minutes):
    client.force_login(request.getfixturevalue(role))
    url = reverse("reports:dashboard")
    client.get(url)
    _idle(client, limit_minutes * 60 - 30)
    assert client.get(url).status_code == 302 and "_auth_user_id" in client.session

    _idle(client, limit_minutes * 60 + 30)
    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert "period of inactivity" in response.content.decode()


def test_activity_keeps_the_session_alive(client, patient):
    client.force_login(patient)
    for _ in range(3):
        _idle(client, 29 * 60)
        assert client.get(reverse("reports:patient-dashboard")).status_code == 200


def test_a_page_polling_by_itself_does_not_keep_the_session_alive(client, front_desk):
    client.force_login(front_desk)
    queue = reverse("scheduling:queue")
    poll = {"HX-Request": "true", "X-HMS-Poll": "1"}
    _idle(client, 14 * 60)
    assert client.get(queue, headers=poll).status_code == 200  # still signed in, not refreshed
    assert client.session[SESSION_KEY] <= int(time.time()) - 14 * 60

    _idle(client, 15 * 60 + 30)
    response = client.get(queue, headers=poll)

    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_someone_at_the_screen_keeps_the_queue_signed_in(client, front_desk):
    client.force_login(front_desk)
    _idle(client, 14 * 60)
    client.get(reverse("scheduling:queue"))

    assert client.session[SESSION_KEY] >= int(time.time()) - 5
