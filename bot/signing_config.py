"""The signing settings (SIGNING_PROVIDER and what each provider needs), read from the
environment; `.env.example` documents every one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from letters.model import Seal

PROVIDERS = ", ".join(s.value for s in Seal)


class SigningConfigError(ValueError):
    """A signing setting is wrong; the message names it."""


@dataclass(frozen=True, kw_only=True)
class SigningConfig:
    provider: Seal = Seal.NONE
    pkcs12_path: Path | None = None
    """pades: the signatory's PKCS#12 file (SIGNING_PKCS12_PATH)."""
    pkcs12_dir: Path | None = None
    """pades: one file per signatory, ``<NIP>.p12`` (SIGNING_PKCS12_DIR), with its passphrase
    in ``<NIP>.passphrase`` beside it or in the setting/secret file below."""
    passphrase: str | None = field(default=None, repr=False)
    passphrase_file: Path | None = None
    tsa_url: str | None = None
    """An RFC 3161 timestamp authority (SIGNING_TSA_URL); None: no timestamp."""
    crl_paths: tuple[Path, ...] = ()
    fetch_revocation: bool = True
    """Ask the CRL/OCSP addresses named in the certificate before signing (unreachable ones do
    not block)."""
    trust_roots: tuple[Path, ...] = ()
    """Root certificates `letter verify` trusts (PEM or DER); none: intact/signer/time only."""
    bsre_url: str | None = None
    bsre_username: str | None = None
    bsre_password: str | None = field(default=None, repr=False)
    bsre_timeout: float = 60.0


def _url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SigningConfigError(f"{name}: expected an http(s) address, got {raw!r}")
    return raw.rstrip("/")


def _paths(raw: str) -> tuple[Path, ...]:
    return tuple(Path(p.strip()) for p in raw.split(",") if p.strip())


def signing_config(env: Mapping[str, str]) -> SigningConfig:
    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    raw = (get("SIGNING_PROVIDER") or Seal.NONE.value).lower()
    try:
        provider = Seal(raw)
    except ValueError:
        raise SigningConfigError(
            f"SIGNING_PROVIDER: expected one of {PROVIDERS}, got {raw!r}") from None
    config = SigningConfig(
        provider=provider,
        pkcs12_path=Path(p) if (p := get("SIGNING_PKCS12_PATH")) else None,
        pkcs12_dir=Path(p) if (p := get("SIGNING_PKCS12_DIR")) else None,
        passphrase=get("SIGNING_PKCS12_PASSPHRASE"),
        passphrase_file=Path(p) if (p := get("SIGNING_PKCS12_PASSPHRASE_FILE")) else None,
        tsa_url=_url("SIGNING_TSA_URL", p) if (p := get("SIGNING_TSA_URL")) else None,
        crl_paths=_paths(get("SIGNING_CRL_PATHS") or ""),
        fetch_revocation=(get("SIGNING_FETCH_REVOCATION") or "true").lower()
        in ("1", "true", "yes", "on"),
        trust_roots=_paths(get("SIGNING_TRUST_ROOTS") or ""),
        bsre_url=_url("BSRE_URL", p) if (p := get("BSRE_URL")) else None,
        bsre_username=get("BSRE_USERNAME"),
        bsre_password=get("BSRE_PASSWORD"),
    )
    if provider is Seal.PADES:
        if not (config.pkcs12_path or config.pkcs12_dir):
            raise SigningConfigError("SIGNING_PROVIDER=pades needs SIGNING_PKCS12_PATH (one "
                                     "certificate) or SIGNING_PKCS12_DIR (one per signatory)")
        for path in (config.pkcs12_path, config.pkcs12_dir, config.passphrase_file):
            if path is not None and not path.exists():
                raise SigningConfigError(f"signing file or folder {path} does not exist")
        if config.pkcs12_path and not (config.passphrase is not None or config.passphrase_file):
            raise SigningConfigError("SIGNING_PKCS12_PATH needs SIGNING_PKCS12_PASSPHRASE or "
                                     "SIGNING_PKCS12_PASSPHRASE_FILE")
    if provider is Seal.BSRE and not (config.bsre_url and config.bsre_username
                                      and config.bsre_password):
        raise SigningConfigError("SIGNING_PROVIDER=bsre needs BSRE_URL, BSRE_USERNAME and "
                                 "BSRE_PASSWORD (the client account BSrE gave the office)")
    for path in (*config.crl_paths, *config.trust_roots):
        if not path.is_file():
            raise SigningConfigError(f"signing file {path} does not exist")
    return config
