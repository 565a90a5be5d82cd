import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hms.celery import app as celery_app
from records.exports import delete_expired, export_start
from records.models import Export
from records.tests.test_history_and_exports import make_visits

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_patient_prepares_an_export_and_downloads_it(
    client, doctor, patient, django_capture_on_commit_callbacks
):
    make_visits(doctor, patient.patient_profile, 450)
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records:export-start", args=[patient.patient_profile.pk]))
    export = Export.objects.get()
    assert response.url == reverse("records:export-detail", args=[export.pk])

    page = client.get(response.url)
    assert "Download CSV" in page.content.decode()
    export.refresh_from_db()
    assert (export.status, export.progress, export.total) == ("done", 450, 450)
    download = client.get(reverse("records:export-download", args=[export.pk]))
    body = b"".join(download.streaming_content).decode()
    assert body.count("\n") == 451 and body.startswith("Date,")


@pytest.mark.django_db
def test_only_the_owner_or_staff_can_see_an_export(
    client, patient, other_patient, doctor, hospital_admin
):
    export = Export.objects.create(owner=patient, patient=patient.patient_profile)
    for user, status in ((other_patient, 404), (doctor, 404), (hospital_admin, 200)):
        client.force_login(user)
        assert client.get(reverse("records:export-detail", args=[export.pk])).status_code == status
    client.force_login(other_patient)
    url = reverse("records:export-start", args=[patient.patient_profile.pk])
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_the_status_partial_polls_until_finished(client, patient):
    export = Export.objects.create(
        owner=patient, patient=patient.patient_profile, status="running", progress=30, total=120
    )
    client.force_login(patient)
    partial = client.get(
        reverse("records:export-detail", args=[export.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "25%" in partial
    assert "<nav" not in partial


@pytest.mark.django_db
def test_expired_exports_lose_their_file(
    client, doctor, patient, django_capture_on_commit_callbacks
):
    make_visits(doctor, patient.patient_profile, 3)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_start(patient=patient.patient_profile, by=patient)
    export.refresh_from_db()
    path = export.file.path
    assert Path(path).exists()
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert delete_expired() == 1

    export.refresh_from_db()
    assert export.status == "expired" and not Path(path).exists()
    client.force_login(patient)
    assert client.get(reverse("records:export-download", args=[export.pk])).status_code == 404


@pytest.mark.django_db
def test_the_cleanup_schedule_exists_after_migrate_and_keeps_admin_edits():
    from records.apps import install_schedules

    task = PeriodicTask.objects.get(name="Delete expired exports")
    task.enabled = False
    task.save()
    install_schedules(sender=None)
    assert PeriodicTask.objects.get(name="Delete expired exports").enabled is False


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_export_runs_on_a_real_celery_worker(doctor, patient, worker_queue):
    """The export goes through Redis to a separate worker process and finishes there."""
    make_visits(doctor, patient.patient_profile, 1000)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_DEFAULT_QUEUE": worker_queue,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hms",
            "worker",
            "--pool=solo",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        export = export_start(patient=patient.patient_profile, by=patient)
        seen = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            export.refresh_from_db()
            seen.add(export.status)
            if export.is_finished:
                break
            time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert export.status == "done", output
    assert export.progress == export.total == 1000
    assert "pending" in seen or "running" in seen  # it really ran elsewhere, later


@pytest.mark.django_db
def test_a_prepared_export_downloads_under_a_clean_name_and_the_page_says_how_it_differs(
    client, doctor, patient, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    make_visits(doctor, patient.patient_profile, 3)
    client.force_login(patient)
    history = client.get(reverse("records:my-history")).content.decode()
    assert "Both CSVs hold the same thing" in history and "Prepare CSV in the background" in history
    for _ in range(2):  # the second file gets a random suffix in storage
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("records:export-start", args=[patient.patient_profile.pk]))
    export = Export.objects.order_by("pk").last()

    download = client.get(reverse("records:export-download", args=[export.pk]))

    day = timezone.localdate(export.created).isoformat()
    expected = f"history-{patient.patient_profile.pk}-{day}.csv"
    assert download["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert expected != export.file.name.rsplit("/", 1)[-1]  # storage added its suffix
