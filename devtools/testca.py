"""A throwaway certificate authority for the signing tests and the signed sample letter: a
root, signers' certificates as PKCS#12 files, and a CRL. Real keys and real signatures
(cryptography). Never for real letters: its root is trusted by nobody."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str, org: str = "Uji Coba CA") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    def pkcs12(self, passphrase: str, chain: list[x509.Certificate]) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"signer", self.key, self.cert, chain,
            serialization.BestAvailableEncryption(passphrase.encode()))


@dataclass
class CertAuthority:
    """A root CA made at `now`, valid for ten years."""

    now: datetime = NOW
    key: rsa.RSAPrivateKey = field(default_factory=_key)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        name = _name("Root CA Uji Coba")
        self.cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=365))
            .not_valid_after(self.now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256()))

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, *, days_left: int = 365, days_old: int = 30,
              email: str | None = None) -> Issued:
        key = _key()
        builder = (
            x509.CertificateBuilder().subject_name(_name(common_name, "Pemerintah Uji Coba"))
            .issuer_name(self.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=days_old))
            .not_valid_after(self.now + timedelta(days=days_left))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False))
        if email:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        return Issued(builder.sign(self.key, hashes.SHA256()), key)

    def issue_tsa(self, common_name: str = "TSA Uji Coba") -> Issued:
        """A timestamp authority's certificate (extended key usage timeStamping, critical)."""
        key = _key()
        cert = (
            x509.CertificateBuilder().subject_name(_name(common_name))
            .issuer_name(self.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=30))
            .not_valid_after(self.now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(self.key, hashes.SHA256()))
        return Issued(cert, key)

    def pkcs12(self, issued: Issued, passphrase: str) -> bytes:
        return issued.pkcs12(passphrase, [self.cert])

    def crl(self, *revoked: Issued) -> bytes:
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
                   .last_update(self.now - timedelta(days=1))
                   .next_update(self.now + timedelta(days=30)))
        for item in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(item.cert.serial_number)
                .revocation_date(self.now - timedelta(hours=1)).build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
