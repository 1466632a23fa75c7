"""The test CA (`devtools.testca`), under the name the tests use."""

from devtools.testca import NOW, CertAuthority, Issued

__all__ = ["NOW", "CertAuthority", "Issued"]
