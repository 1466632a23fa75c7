"""Chat sessions on a real SQLite file: saved at once, versioned, per person and kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.store import Store

NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


async def test_a_session_is_saved_versioned_and_cleared(db_path: Path) -> None:
    store = await Store.open(db_path)
    assert await store.session(7, "form") is None
    assert await store.save_session(7, "form", {"step": 1, "nama": "Dinas Kesehatan"},
                                    now=NOW) == 1
    assert await store.save_session(7, "form", {"step": 2}, now=NOW + timedelta(minutes=3)) == 2
    await store.save_session(7, "action", {"button": "a:1:1:dispose"}, now=NOW)
    await store.close()

    store = await Store.open(db_path)  # what a restart finds
    form = await store.session(7, "form")
    assert form is not None
    assert (form.payload, form.version, form.updated_at) == (
        {"step": 2}, 2, NOW + timedelta(minutes=3))
    assert await store.clear_session(7, "form") is True
    assert await store.clear_session(7, "form") is False
    assert await store.session(7, "form") is None
    action = await store.session(7, "action")
    assert action is not None and action.payload == {"button": "a:1:1:dispose"}
    assert await store.session(8, "action") is None
    await store.close()
