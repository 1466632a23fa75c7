import io
import json
import time

from domains.cli import run_check_command
from domains.config import DnsConfig
from tests.support.bind import ZONE, BindServer


def run(name: str, cfg: DnsConfig, as_json: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = run_check_command(name, cfg, as_json, out)
    return code, out.getvalue()


def test_taken_name_exits_1_and_names_the_record(bind: BindServer) -> None:
    code, text = run("dinkes", bind.config())
    assert code == 1
    assert "Hasil: Sudah dipakai: A 10.0.0.5" in text
    assert "Rekaman: dinkes.balangankab.go.id A 10.0.0.5 (TTL 300)" in text


def test_free_name_exits_0(bind: BindServer) -> None:
    code, text = run("Layanan-Baru.balangankab.go.id", bind.config())
    assert code == 0
    assert "Nama: layanan-baru.balangankab.go.id" in text
    assert "Hasil: Tersedia" in text


def test_invalid_name_exits_2_with_reason_and_suggestion(bind: BindServer) -> None:
    code, text = run("-bad-", bind.config())
    assert code == 2
    assert text.splitlines() == [
        "Nama tidak sah: Nama subdomain tidak boleh diawali atau diakhiri tanda hubung (-).",
        "Saran: bad",
    ]


def test_dead_server_exits_3_quickly(silent_port: tuple[str, int]) -> None:
    started = time.monotonic()
    code, text = run("dinkes", DnsConfig(ZONE, servers=(silent_port,), timeout=2.0))
    assert code == 3
    assert "Tidak dapat dipastikan: server DNS tidak menjawab" in text
    assert time.monotonic() - started < 4


def test_json_output(bind: BindServer) -> None:
    code, text = run("dinkes", bind.config(), as_json=True)
    assert code == 1
    data = json.loads(text)
    assert data["status"] == "taken"
    assert data["records"][0]["value"] == "10.0.0.5"

    code, text = run("www", bind.config(), as_json=True)
    assert code == 2
    assert json.loads(text) == {
        "input": "www",
        "status": "invalid",
        "reason": "reserved",
        "message": "Nama www dicadangkan untuk keperluan teknis dan tidak dapat dipakai.",
        "suggestion": "www-app",
    }


def test_idn_is_shown_both_ways(bind: BindServer) -> None:
    code, text = run("bücher", bind.config())
    assert code == 0
    assert "bücher.balangankab.go.id (xn--bcher-kva.balangankab.go.id)" in text
