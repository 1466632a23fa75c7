"""The signing settings: each provider's needs named in one line; the table's variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError
from bot.workflow import SOP, Action, Ask, Effect, State, for_signing
from letters.model import Seal
from tests.support.office import office_settings


def test_default_is_the_demo_and_each_provider_names_what_it_misses(tmp_path: Path) -> None:
    assert office_settings().signing.provider is Seal.NONE
    for env, said in (
        ({"SIGNING_PROVIDER": "ttd"}, "SIGNING_PROVIDER: expected one of none, pades, bsre"),
        ({"SIGNING_PROVIDER": "pades"}, "needs SIGNING_PKCS12_PATH"),
        ({"SIGNING_PROVIDER": "pades", "SIGNING_PKCS12_PATH": str(tmp_path / "no.p12")},
         "does not exist"),
        ({"SIGNING_PROVIDER": "bsre", "BSRE_URL": "https://esign.example.go.id"},
         "needs BSRE_URL, BSRE_USERNAME and BSRE_PASSWORD"),
        ({"SIGNING_PROVIDER": "bsre", "BSRE_URL": "esign.example"}, "BSRE_URL: expected an"),
        ({"SIGNING_TSA_URL": "ftp://tsa"}, "SIGNING_TSA_URL: expected an http(s) address"),
    ):
        with pytest.raises(SettingsError) as wrong:
            office_settings(**env)
        assert said in str(wrong.value)
    p12 = tmp_path / "k.p12"
    p12.write_bytes(b"x")
    with pytest.raises(SettingsError, match="needs SIGNING_PKCS12_PASSPHRASE"):
        office_settings(SIGNING_PROVIDER="pades", SIGNING_PKCS12_PATH=str(p12))
    config = office_settings(SIGNING_PROVIDER="bsre", BSRE_URL="https://esign.example.go.id/",
                             BSRE_USERNAME="u", BSRE_PASSWORD="rahasia").signing
    assert config.bsre_url == "https://esign.example.go.id" and "rahasia" not in repr(config)


def test_the_variants_are_edits_of_the_table() -> None:
    assert for_signing(SOP, "pades") is SOP and for_signing(SOP, "none") is SOP
    bsre = for_signing(SOP, "bsre")
    asks = {t.action: t.asks for s in bsre.steps for t in s.transitions
            if Effect.ISSUE_LETTER in t.effects}
    assert asks == {Action.SIGN: Ask.PASSPHRASE, Action.DECLINE: Ask.PASSPHRASE}
    wet = for_signing(SOP, "wet")
    sign = wet.step(State.LETTER_SIGNOFF).transition(Action.SIGN)  # type: ignore[union-attr]
    assert sign is not None and sign.to == "wet_signature_delivery"
    assert sign.effects == (Effect.PRINT_LETTER,)
    step = wet.step("wet_signature_delivery")
    assert step is not None and step.number == 8 and step.role == "staf_prakom"
    [upload] = step.transitions
    assert (upload.to, upload.asks, upload.effects) == (State.DELIVERY, Ask.SCAN,
                                                       (Effect.DELIVER_SCAN,))
    assert not any(Effect.ISSUE_LETTER in t.effects for s in wet.steps for t in s.transitions)
    assert State.DELIVERY in wet.reachable_states() and State.DECLINED in wet.reachable_states()
