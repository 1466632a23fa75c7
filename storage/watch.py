"""What the daily watch found: open findings (one per name and kind of problem), the ones that
cleared, and which daily runs and weekly summaries are done."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage import rows
from storage.db import Repository
from storage.models import OutMessage
from storage.outbox import queue_messages


@dataclass(frozen=True)
class Seen:
    """A problem the watch saw on a name this time."""

    label: str
    kind: str
    detail: str
    evidence: str


@dataclass(frozen=True)
class DailyRun:
    """The day's run as `watch_runs` records it once its last batch is settled."""

    period: str
    started_at: datetime
    checked: int
    problems: int


@dataclass(frozen=True)
class Finding:
    id: int
    label: str
    kind: str
    detail: str
    evidence: str
    first_seen: datetime
    last_seen: datetime
    cleared_at: datetime | None


def _finding(row: rows.Row) -> Finding:
    return Finding(row["id"], row["label"], row["kind"], row["detail"], row["evidence"],
                   rows.instant(row["first_seen"]), rows.instant(row["last_seen"]),
                   rows.opt_instant(row["cleared_at"]))


class WatchLog(Repository):
    async def open_findings(self, labels: Iterable[str] | None = None) -> list[Finding]:
        """Findings not cleared yet (of `labels` only, when given)."""
        async with self.db.reading() as conn:
            if labels is None:
                found = list(await conn.execute_fetchall(
                    "SELECT * FROM watch_findings WHERE cleared_at IS NULL ORDER BY label, kind"))
            else:
                found = [r for chunk in _chunks(labels) for r in await conn.execute_fetchall(
                    f"""SELECT * FROM watch_findings WHERE cleared_at IS NULL
                        AND label IN ({",".join("?" * len(chunk))})""", chunk)]
                found.sort(key=lambda r: (r["label"], r["kind"]))
        return [_finding(r) for r in found]

    async def open_findings_by_kind(self, listed: int) -> tuple[dict[str, int], list[Finding]]:
        """The open findings counted per kind, and the first `listed` of them (by label and
        kind): what the weekly summary shows, without reading thousands of findings."""
        async with self.db.reading() as conn:
            counts = await conn.execute_fetchall(
                "SELECT kind, count(*) FROM watch_findings WHERE cleared_at IS NULL GROUP BY kind")
            first = await conn.execute_fetchall(
                """SELECT * FROM watch_findings WHERE cleared_at IS NULL ORDER BY label, kind
                   LIMIT ?""", (listed,))
        return {r[0]: r[1] for r in counts}, [_finding(r) for r in first]

    async def count_findings_since(self, since: datetime) -> tuple[int, int]:
        """How many findings were first seen, and how many cleared, since `since`."""
        stamp = rows.timestamp(since)
        found = await self.db.fetch(
            """SELECT (SELECT count(*) FROM watch_findings WHERE first_seen >= ?),
                      (SELECT count(*) FROM watch_findings WHERE cleared_at >= ?)""",
            (stamp, stamp))
        return int(found[0][0]), int(found[0][1])

    async def findings_since(self, since: datetime) -> tuple[list[Finding], list[Finding]]:
        """(findings first seen since `since`, findings cleared since `since`)."""
        stamp = rows.timestamp(since)
        async with self.db.reading() as conn:
            new = await conn.execute_fetchall(
                "SELECT * FROM watch_findings WHERE first_seen >= ? ORDER BY label, kind",
                (stamp,))
            cleared = await conn.execute_fetchall(
                "SELECT * FROM watch_findings WHERE cleared_at >= ? ORDER BY label, kind",
                (stamp,))
        return [_finding(r) for r in new], [_finding(r) for r in cleared]

    async def settle_watch(self, checked: Sequence[str], seen: Sequence[Seen], *,
                           now: datetime, messages: Iterable[OutMessage],
                           run: DailyRun | None = None) -> tuple[int, int]:
        """One transaction for a batch of names: new problems become findings, ones still
        there are seen again, open findings of the `checked` names that were not seen are
        cleared, the messages about the new ones are queued, and (with `run`, after the run's
        last batch) the day's run is recorded. Returns (new, cleared)."""
        stamp = rows.timestamp(now)
        seen_keys = {(s.label, s.kind) for s in seen}
        checked_set = set(checked)
        async with self.db.transaction() as conn:
            held: dict[tuple[str, str], int] = {}
            for chunk in _chunks(checked_set | {s.label for s in seen}):
                for r in await conn.execute_fetchall(
                        f"""SELECT id, label, kind FROM watch_findings WHERE cleared_at IS NULL
                            AND label IN ({",".join("?" * len(chunk))})""", chunk):
                    held[(r["label"], r["kind"])] = r["id"]
            new = [s for s in seen if (s.label, s.kind) not in held]
            await conn.executemany(
                """INSERT INTO watch_findings (label, kind, detail, evidence, first_seen,
                       last_seen) VALUES (?, ?, ?, ?, ?, ?)""",
                [(s.label, s.kind, s.detail, s.evidence, stamp, stamp) for s in new])
            await conn.executemany(
                "UPDATE watch_findings SET last_seen = ?, detail = ?, evidence = ? WHERE id = ?",
                [(stamp, s.detail, s.evidence, held[(s.label, s.kind)])
                 for s in seen if (s.label, s.kind) in held])
            gone = [fid for (label, kind), fid in held.items()
                    if label in checked_set and (label, kind) not in seen_keys]
            await conn.executemany("UPDATE watch_findings SET cleared_at = ? WHERE id = ?",
                                   [(stamp, fid) for fid in gone])
            await queue_messages(conn, None, now, messages)
            if run is not None:
                await conn.execute(
                    """INSERT INTO watch_runs (kind, period, started_at, finished_at, checked,
                           problems) VALUES ('daily', ?, ?, ?, ?, ?)
                       ON CONFLICT (kind, period) DO UPDATE SET finished_at = excluded.finished_at,
                           checked = excluded.checked, problems = excluded.problems""",
                    (run.period, rows.timestamp(run.started_at), stamp, run.checked,
                     run.problems))
        return len(new), len(gone)

    async def watch_done(self, kind: str, period: str) -> bool:
        found = await self.db.fetch(
            "SELECT 1 FROM watch_runs WHERE kind = ? AND period = ?", (kind, period))
        return bool(found)

    async def record_summary(self, period: str, messages: Iterable[OutMessage], *,
                             now: datetime) -> bool:
        """The weekly summary of `period`, queued once: False when it was already sent."""
        stamp = rows.timestamp(now)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                """INSERT OR IGNORE INTO watch_runs (kind, period, started_at, finished_at)
                   VALUES ('weekly', ?, ?, ?)""", (period, stamp, stamp))
            if not cur.rowcount:
                return False
            await queue_messages(conn, None, now, messages)
        return True


def _chunks(labels: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    """`labels` in lists of `size` (SQLite's limit on bound parameters is far above)."""
    items = list(dict.fromkeys(labels))
    return (items[i:i + size] for i in range(0, len(items), size))
