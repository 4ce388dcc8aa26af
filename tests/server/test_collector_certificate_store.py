"""The server's certificate store for offline bundles: the certificate issued at enrolment is
kept, a renewal replaces it as the newest, and a revoked collector has none (SQLite and
PostgreSQL)."""

from __future__ import annotations

from uuid import uuid4

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from printscout.collector.enrolment import make_key_and_csr
from printscout.server.collectors.ca import fingerprint
from printscout.server.collectors.service import CollectorService, certificate_store
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord
from printscout.storage.collectors import collector_by_fingerprint
from printscout.storage.session import Database


def _der(pem: str) -> bytes:
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)


def test_it_finds_the_newest_certificate_of_an_active_collector(
    settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]
) -> None:
    service = CollectorService(db, settings)
    store = certificate_store(db)
    token = service.create_token(keyed[0].site_id)
    enrolled = service.enrol(token, "front desk", make_key_and_csr("front desk")[1])
    first = store(enrolled.collector)
    assert first is not None
    assert first.public_bytes(serialization.Encoding.DER) == _der(enrolled.certificate)

    with db.lookup() as connection:
        record = collector_by_fingerprint(connection, fingerprint(_der(enrolled.certificate)))
    assert record is not None and str(record.public_id) == enrolled.collector
    renewed = service.renew(record, make_key_and_csr("front desk")[1])
    newest = store(enrolled.collector)
    assert newest is not None
    assert newest.public_bytes(serialization.Encoding.DER) == _der(renewed.certificate)
    assert newest.serial_number != first.serial_number

    assert store(str(uuid4())) is None
    assert store("not-a-uuid") is None
    service.revoke(record.public_id)
    assert store(enrolled.collector) is None
