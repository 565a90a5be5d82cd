"""Uploads kept for a form sent back with errors do not pile up."""


def test_kept_uploads_nobody_came_back_for_are_deleted_after_a_day(settings, tmp_path):
    import os
    import time

    from hms.lib.forms import delete_stale_kept_uploads

    settings.MEDIA_ROOT = str(tmp_path)
    folder = tmp_path / "kept-uploads"
    folder.mkdir()
    (folder / "old.png").write_bytes(b"x")
    (folder / "new.png").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(folder / "old.png", (two_days_ago, two_days_ago))

    assert delete_stale_kept_uploads() == 1
    assert [p.name for p in folder.iterdir()] == ["new.png"]
