"""Request kinds are variants of the one table: their own states, words, DNS work and letter
outcomes, the table's edits (standard times, signing, numbering) flowing into them; the
suspension's DNS work follows RECONFIRM_SUSPEND."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import technical
from bot.durations import WorkMinutes
from bot.workflow import (
    SOP,
    Action,
    Effect,
    Outcome,
    State,
    for_signing,
    with_manual_numbering,
)
from domains.provision import ProvisionError
from letters.body import check_templates
from storage.models import Agency, NewRequest, Request
from tests.support.office import office_settings


def test_every_kind_is_a_valid_variant_reachable_from_where_it_starts() -> None:
    assert [k.key for k in SOP.kinds] == ["pembuatan", "perubahan", "penonaktifan",
                                          "penangguhan"]
    assert [k.key for k in SOP.filing_kinds] == ["pembuatan", "perubahan", "penonaktifan"]
    assert SOP.reachable_states() == set(SOP.all_states())
    assert SOP.initial_for("perubahan") == "perubahan_disposition_head"
    assert SOP.initial_for("penangguhan") == "penangguhan_decision"
    assert SOP.kind_of_state("penonaktifan_creation").key == "penonaktifan"
    assert SOP.kind_of_state(State.COMPLETED).key == "pembuatan"


@pytest.mark.parametrize(("kind", "button", "effect", "outcome"), [
    ("pembuatan", "Buat subdomain", Effect.CREATE_RECORD, Outcome.CREATED),
    ("perubahan", "Ubah rekaman DNS", Effect.CHANGE_RECORD, Outcome.CHANGED),
    ("penonaktifan", "Hapus rekaman DNS", Effect.DELETE_RECORD, Outcome.REMOVED),
    ("penangguhan", "Tangguhkan subdomain", Effect.SUSPEND_RECORD, Outcome.SUSPENDED),
])
def test_the_creation_step_of_each_kind(kind: str, button: str, effect: Effect,
                                        outcome: Outcome) -> None:
    step = SOP.step(SOP.kind(kind).state(State.CREATION, frozenset(SOP.open_states)))
    assert step is not None and step.number == 7
    made = step.transition(Action.CONFIRM_CREATED)
    assert made is not None
    assert (made.label, made.effects, made.outcome) == (button, (effect,), outcome)


def test_a_change_or_removal_has_no_already_exists_and_its_own_declines() -> None:
    for kind, declined in (("perubahan", Outcome.CHANGE_DECLINED),
                           ("penonaktifan", Outcome.REMOVAL_DECLINED)):
        decision = SOP.step(f"{kind}_decision")
        assert decision is not None and decision.transition(Action.REJECT_EXISTS) is None
        first = SOP.step(SOP.initial_for(kind))
        assert first is not None
        decline = first.transition(Action.DECLINE)
        assert decline is not None and decline.outcome == declined
        assert decline.to == State.DECLINED  # the endings are shared
    kept = SOP.step("penangguhan_decision")
    assert kept is not None
    stay = kept.transition(Action.REJECT_ADVICE)
    assert stay is not None and (stay.label, stay.to, stay.outcome) == (
        "Tetap aktifkan", State.COMPLETED, None)


def test_the_tables_edits_flow_into_every_kind() -> None:
    timed = SOP.with_standard_times({State.CREATION: WorkMinutes(90)})
    for kind in SOP.kinds:
        step = timed.step(kind.state(State.CREATION, frozenset(SOP.open_states)))
        assert step is not None and step.standard_time == WorkMinutes(90)
    manual = with_manual_numbering(SOP)
    assert manual.step("perubahan_numbering_delivery") is not None
    assert manual.reachable_states() == set(manual.all_states())
    wet = for_signing(SOP, "wet")
    assert wet.step("penangguhan_wet_signature_delivery") is not None
    assert wet.reachable_states() == set(wet.all_states())


def test_every_outcome_has_its_letter_template() -> None:
    check_templates()


def _request(kind: str) -> NewRequest:
    return NewRequest(agency_id=1, requester_id=1, subdomain="arsip", purpose="-",
                      target_kind="ip", target_value="203.0.113.9", letter_number="-",
                      letter_date=date(2026, 12, 1), kind=kind)


def _as_request(new: NewRequest) -> Request:
    from bot.service import _unfiled

    return _unfiled(new, Agency(1, "dinkes", "Dinas Kesehatan", None), "x",
                    datetime(2026, 12, 1, tzinfo=UTC))


HELD = (("arsip.balangankab.go.id", "A", "203.0.113.50", 300),)


def test_a_suspension_points_away_or_removes_as_configured() -> None:
    request = _as_request(_request("penangguhan"))
    redirect = technical.work(office_settings(HOSTING_IPV4="10.20.30.40"),
                              Effect.SUSPEND_RECORD, request, HELD)
    assert redirect.status == "suspended"
    assert redirect.describe_id() == ("Mengubah arsip.balangankab.go.id: A 203.0.113.50 → "
                                      "A 10.20.30.40 (TTL 3600 detik)")
    elsewhere = technical.work(office_settings(RECONFIRM_REDIRECT_TO="nonaktif.example.net"),
                               Effect.SUSPEND_RECORD, request, HELD)
    assert elsewhere.new is not None
    assert elsewhere.new.records[0].value == "nonaktif.example.net."
    removal = technical.work(office_settings(RECONFIRM_SUSPEND="remove"),
                             Effect.SUSPEND_RECORD, request, HELD)
    assert (removal.new, removal.status) == (None, "removed")
    assert removal.describe_id() == "Menghapus arsip.balangankab.go.id: A 203.0.113.50"
    with pytest.raises(ProvisionError) as info:
        technical.work(office_settings(), Effect.CHANGE_RECORD, request, None)
    assert "tidak tercatat aktif di register" in info.value.message_id


def test_reconfirm_settings() -> None:
    settings = office_settings()
    assert (settings.reconfirm.months, settings.reconfirm.remind_days,
            settings.reconfirm.suspend, settings.reconfirm.redirect_to) == (
        12, 7, "redirect", None)
    custom = office_settings(RECONFIRM_MONTHS="6", RECONFIRM_REMIND_DAYS="3",
                             RECONFIRM_SUSPEND="remove")
    assert (custom.reconfirm.months, custom.reconfirm.remind_days,
            custom.reconfirm.suspend) == (6, 3, "remove")
    from bot.settings import SettingsError

    with pytest.raises(SettingsError) as info:
        office_settings(RECONFIRM_SUSPEND="park")
    assert "RECONFIRM_SUSPEND" in str(info.value)
