"""The state records in Milvus Lite: a record that an upsert hides for a moment (the
lease's renewal, a new version in service) is still read, so a contender never takes a
held build lease for a free one."""

from __future__ import annotations

from pathlib import Path

from index.milvus.client import connect, ensure_key_value
from index.milvus.state import LEASE, StateTable
from tests.index.backends import backend_settings
from tests.index.milvus.support import put_back_later, take_rows


def test_a_record_being_rewritten_is_read_not_taken_for_absent(tmp_path: Path) -> None:
    client = connect(backend_settings("milvus", tmp_path))
    ensure_key_value(client, "state")
    state = StateTable(client, "state")
    held = {"owner": "a", "expires": 1e12}
    state.put(LEASE, held)
    rows = take_rows(client, "state", f'key == "{LEASE}"')
    timer = put_back_later(client, "state", rows, 0.02)
    assert state.get(LEASE) == held
    timer.join()
    state.delete(LEASE)
    assert state.get(LEASE) is None
