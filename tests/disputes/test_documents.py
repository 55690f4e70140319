"""Documents on a dispute: what a referrer or CSC can attach (identified by its content, never
by its name), who can download it (rule 12, per record), and withdrawing it before the panel
has had it."""

import functools
import hashlib
import io
import re
import zipfile
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from moderation.disputes.documents import services as documents
from moderation.extensions import db as _db
from moderation.models import (
    AuditEvent,
    Dispute,
    DisputeDocument,
    ItemGuest,
    PanelSession,
    SessionStatus,
    User,
)
from moderation.panels import agenda
from tests.conftest import (
    banners,
    client_for,
    csrf_token,
    error_summary,
    heading,
    page,
    post,
    url,
)
from tests.helpers import counting_queries

# Real files of every accepted kind ----------------------------------------------------------


@functools.cache
def pdf_file():
    from weasyprint import HTML

    return HTML(string="<html lang='en'><title>Referral</title><p>Referral form</p></html>"
                ).write_pdf()


def _image(fmt):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def png_file():
    return _image("PNG")


def jpeg_file():
    return _image("JPEG")


def docx_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'))
        package.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Chronology'
            '</w:t></w:r></w:p></w:body></w:document>'))
    return out.getvalue()


def odt_file(mimetype="application/vnd.oasis.opendocument.text"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:'
            'oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            f'manifest:full-path="/" manifest:media-type="{mimetype}"/></manifest:manifest>'))
        package.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:'
            'oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:'
            'opendocument:xmlns:text:1.0"><office:body><office:text><text:p>Contact record'
            '</text:p></office:text></office:body></office:document-content>'))
    return out.getvalue()


def text_file():
    return "Chronology\n2 Nov: home visit – concerns noted\t(HV)\r\n".encode()


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("notes.txt", "not a document")
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"

ACCEPTED = [  # content, name sent, what the page says it is, media type, name kept
    (pdf_file, "referral.pdf", "PDF", "application/pdf", "referral.pdf"),
    (docx_file, "chronology.docx", "Word document (DOCX)",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "chronology.docx"),
    (odt_file, "contact record.odt", "OpenDocument text (ODT)",
     "application/vnd.oasis.opendocument.text", "contact record.odt"),
    (png_file, "photo.png", "PNG image", "image/png", "photo.png"),
    (jpeg_file, "photo.jpeg", "JPEG image", "image/jpeg", "photo.jpeg"),
    (text_file, "notes.txt", "Plain text", "text/plain; charset=utf-8", "notes.txt"),
]
NOT_ACCEPTED = "The selected file must be a PDF, DOCX, ODT, PNG, JPEG or plain text file"


# Helpers ---------------------------------------------------------------------------------------


BOUNDARY = "----form-boundary-7MA4YWxkTrZu0gW"


def upload(client, dispute_id, content, name, document_type="referral_form", **kwargs):
    """POST the form as a browser does, the file's name sent exactly as given (RFC 8187
    encoding, so names with quotes, slashes or control characters arrive as typed)."""
    parts = [(f'name="{field}"', value.encode()) for field, value in (
        ("csrf_token", csrf_token(client)), ("document_type", document_type))]
    if content is not None:
        filename = f"filename*=UTF-8''{quote(name, safe='')}" if name else 'filename=""'
        parts.append((f'name="file"; {filename}\r\nContent-Type: application/octet-stream',
                      content))
    body = b"".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; {head}\r\n\r\n"
                    .encode() + value + b"\r\n" for head, value in parts)
    body += f"--{BOUNDARY}--\r\n".encode()
    return client.post(url(client, "documents.attach", dispute_id=dispute_id), data=body,
                       content_type=f"multipart/form-data; boundary={BOUNDARY}", **kwargs)


def stored(app):
    with app.app_context():
        return _db.session.scalar(select(func.count(DisputeDocument.id)))


def only_document(app):
    with app.app_context():
        return _db.session.scalars(select(DisputeDocument)).one()


def document_rows(response):
    return [re.sub(r"\s+", " ", row.get_text(" ", strip=True))
            for row in page(response).select("#documents + dl .govuk-summary-list__row")]


def attach_as(app, user_id, dispute_id, content=b"Chronology\n", name="chronology.txt"):
    with app.app_context():
        dispute = _db.session.get(Dispute, dispute_id)
        document = documents.attach(dispute, _db.session.get(User, user_id), "chronology",
                                    name, content)
        _db.session.commit()
        return document.id


@pytest.fixture
def referrer(make_user):
    return make_user("referrer", name="Riley Referrer")


@pytest.fixture
def dispute_id(make_dispute, referrer):
    return make_dispute(referrer=referrer)


@pytest.fixture
def as_referrer(app, referrer):
    return client_for(app, referrer)


# Attaching: accepted kinds ---------------------------------------------------------------------


@pytest.mark.parametrize(("make", "name", "kind", "media_type", "kept"), ACCEPTED,
                         ids=[a[1] for a in ACCEPTED])
def test_a_real_file_of_each_accepted_kind_is_attached_and_downloads_as_it_was(
        app, as_referrer, dispute_id, make, name, kind, media_type, kept):
    content = make()
    response = upload(as_referrer, dispute_id, content, name, follow_redirects=True)
    assert heading(response).startswith("Dispute ")
    assert f"{kept} has been attached to the dispute." in banners(response)
    [row] = document_rows(response)
    assert row.startswith(f"The referral form as sent {kept} ({kind}, ")  # at stage 1: not new
    assert "Added by Riley Referrer on" in row

    link = page(response).select_one("#documents + dl a.govuk-link")
    download = as_referrer.get(link["href"])
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == media_type
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Disposition"] == f'attachment; filename="{kept}"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"

    document = only_document(app)
    assert (document.size, document.sha256, document.file_kind) == (
        len(content), hashlib.sha256(content).hexdigest(), documents.identify(content).code)


def test_a_file_is_named_by_what_it_is_not_by_the_name_it_came_with(app, as_referrer,
                                                                     dispute_id):
    upload(as_referrer, dispute_id, pdf_file(), "scan.docx")
    assert only_document(app).filename == "scan.pdf"
    assert only_document(app).media_type == "application/pdf"


def test_a_large_download_arrives_whole_in_slices(app, as_referrer, dispute_id):
    content = (b"Line of a long chronology\n" * 100_000)[: documents.CHUNK_BYTES * 2 + 17]
    upload(as_referrer, dispute_id, content, "long.txt")
    document = only_document(app)
    with app.app_context():
        assert [len(c) for c in documents.chunks(document.id, document.size)] == [
            documents.CHUNK_BYTES, documents.CHUNK_BYTES, 17]
    assert as_referrer.get(url(app, "documents.download", document_id=document.id)
                           ).data == content


# Attaching: refused, and nothing stored --------------------------------------------------------


@pytest.mark.parametrize(("content", "name", "message"), [
    (ELF, "referral.pdf", NOT_ACCEPTED),
    (PE, "referral.pdf", NOT_ACCEPTED),
    (plain_zip(), "chronology.docx", NOT_ACCEPTED),
    (odt_file("application/vnd.oasis.opendocument.spreadsheet"), "figures.odt", NOT_ACCEPTED),
    (b"PK\x03\x04 not really a zip", "x.docx", NOT_ACCEPTED),
    (b"Chronology\x00\x01\x02 with binary", "notes.txt", NOT_ACCEPTED),
    ("Latin-1 café".encode("latin-1"), "notes.txt", NOT_ACCEPTED),
    (b"", "empty.pdf", "The selected file is empty"),
    (b"a" * (21 * 1024 * 1024), "big.txt", "The selected file must be smaller than 20 MB"),
    (None, "", "Select a file"),
], ids=["elf-named-pdf", "pe-named-pdf", "zip-named-docx", "ods-named-odt", "broken-zip",
        "binary-text", "not-utf8", "empty", "21MB", "no-file"])
def test_a_disguised_or_wrong_file_is_refused_with_a_govuk_error_and_nothing_is_stored(
        app, as_referrer, dispute_id, content, name, message):
    response = upload(as_referrer, dispute_id, content, name)
    assert response.status_code == 200
    assert heading(response) == "Attach a document"
    assert error_summary(response) == [message]
    assert page(response).select_one("#file-error") is not None
    assert stored(app) == 0
    with app.app_context():
        assert _db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "document_added")) == 0


def test_the_form_sent_with_no_file_chosen_asks_for_one(app, as_referrer, dispute_id):
    response = upload(as_referrer, dispute_id, b"", "")  # what a browser sends then
    assert error_summary(response) == ["Select a file"]
    assert stored(app) == 0


def test_the_kind_of_document_must_be_chosen(app, as_referrer, dispute_id):
    response = upload(as_referrer, dispute_id, pdf_file(), "a.pdf", document_type="")
    assert error_summary(response) == ["Select what the document is"]
    response = upload(as_referrer, dispute_id, pdf_file(), "a.pdf", document_type="virus")
    assert len(error_summary(response)) == 1
    assert stored(app) == 0


def test_a_request_too_big_for_any_form_gets_a_page_that_says_so(app, as_referrer, dispute_id):
    response = upload(as_referrer, dispute_id, b"a" * (26 * 1024 * 1024), "huge.txt")
    assert response.status_code == 413
    assert heading(response) == "The file is too big"
    assert stored(app) == 0


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a\\b.pdf", "b.pdf"),
    ("C:\\Users\\me\\Referral form.pdf", "Referral form.pdf"),
    ("x\x00y\x1b.pdf", "xy.pdf"),
    ("line\nbreak.pdf", "linebreak.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.pdf"),
    ('quote" onmouseover=x.pdf', "quote onmouseover=x.pdf"),
    ("...", "document.pdf"),
    ("\x01\x02", "document.pdf"),
    ("/", "document.pdf"),
    ("Report v.2", "Report v.pdf"),
    ("x" * 300 + ".pdf", "x" * 120 + ".pdf"),
])
def test_a_name_is_cleaned_to_a_safe_base_name_with_the_real_extension(app, as_referrer,
                                                                       dispute_id, sent, kept):
    response = upload(as_referrer, dispute_id, pdf_file(), sent, follow_redirects=True)
    assert only_document(app).filename == kept
    assert f"{kept} has been attached to the dispute." in banners(response)


def test_a_name_in_another_script_downloads_under_its_own_name(app, as_referrer, dispute_id):
    upload(as_referrer, dispute_id, pdf_file(), "Zoë’s referral.pdf")
    document = only_document(app)
    download = as_referrer.get(url(app, "documents.download", document_id=document.id))
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Zoes referral.pdf\"; "
        "filename*=UTF-8''Zo%C3%AB%E2%80%99s%20referral.pdf")


# Who may attach --------------------------------------------------------------------------------


def test_the_dispute_page_offers_to_attach_a_document_and_lists_none_yet(app, as_referrer,
                                                                          dispute_id):
    response = as_referrer.get(url(app, "disputes.show", dispute_id=dispute_id))
    section = page(response).select_one("#documents").find_next("p")
    assert section.get_text(strip=True) == "No documents have been attached."
    assert [a.get_text(strip=True) for a in page(response).select("a.govuk-button")
            if "Attach" in a.get_text()] == ["Attach a document"]


def test_the_referrers_manager_and_csc_can_attach_but_another_referrer_cannot(
        app, make_user, dispute_id):
    manager = make_user("referrer", name="Morgan Manager")
    with app.app_context():
        _db.session.get(Dispute, dispute_id).referrer_manager_id = manager.id
        _db.session.commit()
    csc = make_user("csc_manager", name="Casey CSC")
    other = make_user("referrer")
    assert upload(client_for(app, manager), dispute_id, text_file(), "m.txt").status_code == 302
    assert upload(client_for(app, csc), dispute_id, text_file(), "c.txt").status_code == 302
    assert upload(client_for(app, other), dispute_id, text_file(), "o.txt").status_code == 404
    with app.app_context():
        adders = _db.session.scalars(select(DisputeDocument.added_by_id)
                                     .order_by(DisputeDocument.id)).all()
    assert adders == [manager.id, csc.id]


def test_nothing_can_be_attached_once_the_agenda_is_frozen(app, panel_meeting):
    m = panel_meeting(started=False)
    client = client_for(app, m.referrer)
    assert client.get(url(app, "documents.attach", dispute_id=m.dispute_ids[0])
                      ).status_code == 404
    response = client.get(url(app, "disputes.show", dispute_id=m.dispute_ids[0]))
    assert "Attach a document" not in response.text


# Who may download (rule 12: per record) --------------------------------------------------------


@pytest.fixture
def papers(app, db, panel_meeting, make_user, make_member):
    """Two disputes waiting for a scheduled session, a document on the first, and two guests:
    one of each item. The test moves the session on."""
    m = panel_meeting(disputes=({}, {}), frozen=False)
    first, second = m.dispute_ids
    document_id = attach_as(app, m.referrer.id, first)
    guest = make_user("referrer", name="Gale Guest")
    other_guest = make_user("referrer", name="Otto Guest")
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        agenda.fill_from_queue(session, db.session.get(User, m.chair.id))
        db.session.flush()
        items = {item.dispute_id: item for item in session.agenda}
        for user, dispute in ((guest, first), (other_guest, second)):
            db.session.add(ItemGuest(agenda_item_id=items[dispute].id, user_id=user.id,
                                     purpose="To present", invited_by_id=m.chair.id))
        db.session.commit()
    later_member = make_user("panel_member", name="Lee Later")
    make_member(later_member, joined_on=date(2027, 1, 1))
    return {"meeting": m, "document_id": document_id, "guest": guest,
            "other_guest": other_guest, "later_member": later_member}


def _set_status(app, session_id, status):
    with app.app_context():
        _db.session.get(PanelSession, session_id).status = status
        _db.session.commit()


def _download(app, user, document_id):
    return client_for(app, user).get(url(app, "documents.download", document_id=document_id))


def test_downloads_are_open_exactly_to_those_who_may_see_the_papers(app, make_user, papers):
    m, document_id = papers["meeting"], papers["document_id"]
    other_referrer = make_user("referrer")
    csc = make_user("csc_manager")
    status = {}

    def answers():
        people = {"referrer": m.referrer, "other agency's referrer": other_referrer,
                  "CSC manager": csc, "member of the session": m.reps["health"],
                  "member of another session": papers["later_member"],
                  "guest of the item": papers["guest"],
                  "guest of another item": papers["other_guest"]}
        return {who: _download(app, user, document_id).status_code
                for who, user in people.items()}

    status["before the freeze"] = answers()
    with app.app_context():
        session = _db.session.get(PanelSession, m.session_id)
        agenda.freeze(session, _db.session.get(User, m.chair.id), tell=False)
        _db.session.commit()
    status["frozen"] = answers()
    _set_status(app, m.session_id, SessionStatus.IN_SESSION)
    status["in session"] = answers()
    _set_status(app, m.session_id, SessionStatus.MINUTES_DRAFT)
    status["after the meeting"] = answers()

    assert status == {
        "before the freeze": {
            "referrer": 200, "other agency's referrer": 404, "CSC manager": 200,
            "member of the session": 404, "member of another session": 404,
            "guest of the item": 404, "guest of another item": 404},
        "frozen": {
            "referrer": 200, "other agency's referrer": 404, "CSC manager": 200,
            "member of the session": 200, "member of another session": 404,
            "guest of the item": 200, "guest of another item": 404},
        "in session": {
            "referrer": 200, "other agency's referrer": 404, "CSC manager": 200,
            "member of the session": 200, "member of another session": 404,
            "guest of the item": 200, "guest of another item": 404},
        "after the meeting": {
            "referrer": 200, "other agency's referrer": 404, "CSC manager": 200,
            "member of the session": 200, "member of another session": 404,
            "guest of the item": 404, "guest of another item": 404},
    }


def test_a_refused_download_reads_page_not_found(app, make_user, papers):
    response = _download(app, make_user("referrer"), papers["document_id"])
    assert heading(response) == "Page not found"
    assert response.headers.get("Content-Disposition") is None


def test_every_download_leaves_an_audit_event(app, papers):
    m, document_id = papers["meeting"], papers["document_id"]
    _download(app, m.referrer, document_id)
    _download(app, m.referrer, document_id)
    _download(app, papers["other_guest"], document_id)  # refused: nothing downloaded
    with app.app_context():
        events = _db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "document_downloaded")).all()
        assert [(e.actor_id, e.object_type, e.object_id) for e in events] == [
            (m.referrer.id, "dispute_document", str(document_id))] * 2


def test_the_list_shows_a_link_only_to_those_who_may_download(app, papers):
    m = papers["meeting"]
    with app.app_context():
        session = _db.session.get(PanelSession, m.session_id)
        agenda.freeze(session, _db.session.get(User, m.chair.id), tell=False)
        _db.session.commit()
    response = client_for(app, m.referrer).get(url(app, "disputes.show",
                                                dispute_id=m.dispute_ids[0]))
    [row] = document_rows(response)
    # Added after the first stage closed (the dispute went to panel): marked new.
    assert row.startswith("A chronology New chronology.txt (Plain text, 11 bytes)")
    assert page(response).select_one("#documents + dl a")["href"] == url(
        app, "documents.download", document_id=papers["document_id"])
    assert "Attach a document" not in response.text  # the papers are fixed now
    assert "Withdraw" not in response.text  # the panel has them


# Withdrawing -----------------------------------------------------------------------------------


def test_whoever_added_a_document_can_withdraw_it_with_a_reason_before_the_freeze(
        app, as_referrer, referrer, dispute_id):
    document_id = attach_as(app, referrer.id, dispute_id, name="wrong child.txt")
    response = as_referrer.get(url(app, "disputes.show", dispute_id=dispute_id))
    withdraw = page(response).select_one("#documents + dl .govuk-summary-list__actions a")
    assert withdraw.get_text(" ", strip=True) == "Withdraw wrong child.txt"

    response = as_referrer.get(withdraw["href"])
    assert heading(response) == "Withdraw wrong child.txt"
    response = post(as_referrer, withdraw["href"], {"reason": " "})
    assert error_summary(response) == ["Enter the reason for withdrawing the document"]
    response = post(as_referrer, withdraw["href"], {"reason": "Attached to the wrong dispute"},
                    follow_redirects=True)
    assert "wrong child.txt has been withdrawn." in banners(response)
    [row] = document_rows(response)
    assert re.search(r"Withdrawn on .+ by Riley Referrer: Attached to the wrong dispute$", row)
    assert page(response).select("#documents + dl a") == []

    assert as_referrer.get(url(app, "documents.download", document_id=document_id)
                           ).status_code == 404
    with app.app_context():
        event = _db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "document_withdrawn")).one()
        assert (event.actor_id, event.object_id) == (referrer.id, str(document_id))
        assert "Attached to the wrong dispute" not in str(event.detail)


def test_only_whoever_added_it_may_withdraw_it(app, make_user, referrer, dispute_id):
    csc = make_user("csc_manager")
    document_id = attach_as(app, referrer.id, dispute_id)
    client = client_for(app, csc)
    address = url(app, "documents.withdraw", document_id=document_id)
    assert client.get(address).status_code == 404
    assert post(client, address, {"reason": "Mine now"}).status_code == 404
    assert "Withdraw" not in client.get(url(app, "disputes.show", dispute_id=dispute_id)).text
    assert only_document(app).withdrawn_at is None


def test_after_the_freeze_a_document_stays_the_panel_has_had_it(app, panel_meeting):
    m = panel_meeting(frozen=False)
    document_id = attach_as(app, m.referrer.id, m.dispute_ids[0])
    with app.app_context():
        session = _db.session.get(PanelSession, m.session_id)
        chair = _db.session.get(User, m.chair.id)
        agenda.fill_from_queue(session, chair)
        agenda.freeze(session, chair, tell=False)
        _db.session.commit()
    client = client_for(app, m.referrer)
    address = url(app, "documents.withdraw", document_id=document_id)
    response = client.get(address)
    assert error_summary(response) == [
        "The panel has had this document, so it cannot be withdrawn"]
    response = post(client, address, {"reason": "Changed my mind"})
    assert error_summary(response) == [
        "The panel has had this document, so it cannot be withdrawn"]
    assert only_document(app).withdrawn_at is None
    assert _download(app, m.referrer, document_id).status_code == 200


# The list's queries ----------------------------------------------------------------------------


def test_the_list_runs_the_same_queries_for_one_document_or_many(app, make_user, referrer,
                                                                  dispute_id, as_referrer):
    csc = make_user("csc_manager")
    attach_as(app, referrer.id, dispute_id)
    address = url(app, "disputes.show", dispute_id=dispute_id)
    as_referrer.get(address)
    with counting_queries(app) as few:
        as_referrer.get(address)
    for adder in (referrer, csc, referrer, csc, referrer):
        attach_as(app, adder.id, dispute_id)
    with counting_queries(app) as many:
        response = as_referrer.get(address)
    assert len(document_rows(response)) == 6
    assert many["n"] == few["n"]
