"""Certificates for the test broker's SASL_SSL listener (kafka_sasl.py): a CA, the broker's key
and certificate for 127.0.0.1 signed by it, a CA that signed nothing of the broker's (a
client given that one cannot verify the broker), and the broker's key with a certificate of
the CA's that has expired."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_FOR = datetime.timedelta(days=1)  # a test's broker lives for minutes


@dataclass(frozen=True)
class Certificates:
    ca_file: Path  # the CA that signed the broker's certificate
    other_ca_file: Path  # a CA that did not
    keystore: Path  # the broker's private key and certificate chain (Kafka's PEM keystore)
    expired_keystore: Path  # the same key with a certificate of the CA's that has expired


def make_certificates(directory: Path) -> Certificates:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("test CA", ca_key, ca_key, None)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate("another test CA", other_key, other_key, None)
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker = _certificate("test broker", broker_key, ca_key, ca)
    expired = _certificate("test broker", broker_key, ca_key, ca, expired=True)
    made = Certificates(
        directory / "ca.pem",
        directory / "other-ca.pem",
        directory / "broker.pem",
        directory / "expired-broker.pem",
    )
    made.ca_file.write_bytes(_pem(ca))
    made.other_ca_file.write_bytes(_pem(other))
    key = broker_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    made.keystore.write_bytes(key + _pem(broker) + _pem(ca))
    made.expired_keystore.write_bytes(key + _pem(expired) + _pem(ca))
    return made


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    *,
    expired: bool = False,
) -> x509.Certificate:
    """A CA's own certificate when `issuer` is None; else one for 127.0.0.1 that it signs
    (valid until yesterday if `expired`)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC) - (2 * VALID_FOR if expired else datetime.timedelta())
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        builder = builder.add_extension(x509.SubjectAlternativeName([loopback]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
