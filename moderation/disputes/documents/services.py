"""A dispute's documents: identified by content, stored in the database, streamed on download.

What a file is comes from its bytes, never from its name or the type the browser sent: a PDF,
PNG or JPEG by its signature (the `filetype` library), a DOCX or ODT by the zip package it must
be (its parts read with zipfile), plain text by decoding as UTF-8 with no binary control bytes.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from sqlalchemy import LargeBinary, func, select
from sqlalchemy.orm import joinedload

from moderation.disputes import papers
from moderation.disputes.documents.readers import decided_on, may_read_papers
from moderation.disputes.readers import on_the_referrers_side
from moderation.extensions import db
from moderation.models import DisputeDocument, DocumentType, Role
from moderation.models.types import utcnow
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce
from moderation.web.words import count

MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 512 * 1024  # read from the database in slices, so a download never holds it all

ACCEPTED = "The selected file must be a PDF, DOCX, ODT, PNG, JPEG or plain text file"
EMPTY = "The selected file is empty"
TOO_BIG = "The selected file must be smaller than 20 MB"
CLOSED = "Documents can no longer be added to this dispute"
DECIDED_ON = "The panel has had this document, so it cannot be withdrawn"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # how the page names it
    media_type: str
    extension: str
    also: tuple = ()  # other extensions a name of this kind may keep


KINDS = {kind.code: kind for kind in (
    Kind("pdf", "PDF", "application/pdf", "pdf"),
    Kind("docx", "Word document (DOCX)",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    Kind("odt", "OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", "odt"),
    Kind("png", "PNG image", "image/png", "png"),
    Kind("jpeg", "JPEG image", "image/jpeg", "jpg", ("jpeg",)),
    Kind("text", "Plain text", "text/plain; charset=utf-8", "txt", ("text", "csv", "md", "log")),
)}
SIGNATURES = {"pdf": "pdf", "png": "png", "jpg": "jpeg"}  # filetype's extension -> our kind

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
PART_LIMIT = 1024 * 1024  # a package's small parts are read only when no bigger than this
# Text may hold tabs, line and page breaks; any other control byte means it is not text.
BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# Identifying a file by its content -------------------------------------------------------------


def identify(content):
    """The Kind of these bytes, or None when they are none of the accepted kinds."""
    if content.startswith(b"PK\x03\x04"):
        return _package_kind(content)
    guess = filetype.guess(content)
    if guess is not None:
        code = SIGNATURES.get(guess.extension)
        return KINDS[code] if code else None
    return KINDS["text"] if _is_text(content) else None


def _package_kind(content):
    """DOCX or ODT when the zip is really one: a zip of anything else is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
            if entries and entries[0].filename == "mimetype" and "content.xml" in names:
                return KINDS["odt"] if _part(package, entries[0]) == ODT_MIMETYPE else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                types = _part(package, package.getinfo("[Content_Types].xml"))
                return KINDS["docx"] if types and DOCX_MAIN.encode() in types else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            ValueError, EOFError, OSError, KeyError):
        return None
    return None


def _part(package, entry):
    if entry.file_size > PART_LIMIT:
        return None
    return package.read(entry).strip()


def _is_text(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not BINARY_CONTROLS.search(text)


# Names -----------------------------------------------------------------------------------------

NAME_STEM_LIMIT = 120
UNSAFE = set('<>:"/\\|?*;`$')
EXTENSION = re.compile(r"^[A-Za-z0-9]{1,5}$")
FALLBACK_STEM = "document"


def clean_name(name, kind):
    """A name safe to store, show and send: the base name only (after either slash), no control,
    formatting or unsafe characters, white space collapsed, its length capped, and the extension
    of what the file really is."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if ch not in UNSAFE and unicodedata.category(ch)[0] != "C")
    base = " ".join(base.split()).strip(" .")
    stem, dot, extension = base.rpartition(".")
    if not dot or not EXTENSION.match(extension):
        stem, extension = base, ""
    if extension.lower() not in (kind.extension, *kind.also):
        extension = kind.extension
    stem = stem[:NAME_STEM_LIMIT].strip(" .") or FALLBACK_STEM
    return f"{stem}.{extension.lower()}"


def content_disposition(filename):
    """`attachment` with the name (RFC 6266): an ASCII fallback, and the UTF-8 name as well when
    it has other characters (RFC 8187)."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = "".join(ch for ch in plain if ch not in '"\\' and ch.isprintable())
    if not plain.rpartition(".")[0].strip(" ."):
        plain = f"{FALLBACK_STEM}.{filename.rpartition('.')[2]}"
    header = f'attachment; filename="{plain}"'
    if plain != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


# Attaching, listing, downloading and withdrawing -----------------------------------------------


def read_upload(upload):
    """The upload's bytes, refused when empty or too big (never reading more than the limit)."""
    content = upload.stream.read(MAX_BYTES + 1)
    if not content:
        raise Refusal(EMPTY, "file")
    if len(content) > MAX_BYTES:
        raise Refusal(TOO_BIG, "file")
    return content


def why_not_attach(user, dispute):
    """Why `user` may not attach a document to the dispute now, or None: NOT_YOURS unless they
    are on the referrer's side of it or a CSC manager; else not once its papers are closed."""
    if not (on_the_referrers_side(user, dispute) or user.has_role(Role.CSC_MANAGER)):
        return NOT_YOURS
    return None if papers.papers_open(dispute) else CLOSED


def attach(dispute, actor, document_type, filename, content, addition=None):
    """Attach a document to the dispute (with the referrer's `addition` it came with, if any),
    identified by its content; refused (nothing stored) unless it is one of the accepted kinds,
    or when the dispute's papers are closed."""
    enforce(why_not_attach(actor, dispute), "file")
    if not DocumentType.has(document_type):
        raise Refusal("Select what kind of document it is", "document_type")
    if not content:
        raise Refusal(EMPTY, "file")
    if len(content) > MAX_BYTES:
        raise Refusal(TOO_BIG, "file")
    kind = identify(content)
    if kind is None:
        raise Refusal(ACCEPTED, "file")
    document = DisputeDocument(
        dispute_id=dispute.id, document_type=document_type, filename=clean_name(filename, kind),
        file_kind=kind.code, media_type=kind.media_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, added_by_id=actor.id,
        added_at=utcnow(), addition_id=addition.id if addition is not None else None)
    db.session.add(document)
    db.session.flush()
    audit.record("document_added", document, actor=actor, dispute_id=dispute.id,
                 file_kind=kind.code, size=document.size, sha256=document.sha256)
    return document


LISTED = (joinedload(DisputeDocument.added_by), joinedload(DisputeDocument.withdrawn_by))


def listed(dispute):
    """The dispute's documents, oldest first, withdrawn ones included (the page says so). Each
    says whether it `is_new`: added after the dispute's first stage closed."""
    documents = db.session.scalars(
        select(DisputeDocument).options(*LISTED)
        .where(DisputeDocument.dispute_id == dispute.id)
        .order_by(DisputeDocument.added_at, DisputeDocument.id)).all()
    first = dispute.stages[0] if dispute.stages else None
    for document in documents:
        document.is_new = _added_after(document, first)
    return documents


def _added_after(document, stage):
    if stage is None or stage.closed_on is None:
        return False
    if stage.closed_at is not None:
        return document.added_at > stage.closed_at
    return document.added_at.date() > stage.closed_on  # older stages kept only the day


def kind_of(document):
    return KINDS.get(document.file_kind)


def size_in_words(size):
    """'532 bytes', '14 KB', '3.2 MB'."""
    if size < 1024:
        return count(size, "byte")
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def downloaded(document, actor):
    """Audit a download: every one leaves an event."""
    audit.record("document_downloaded", document, actor=actor, dispute_id=document.dispute_id,
                 sha256=document.sha256)


def chunks(document_id, size):
    """The document's content in slices read from the database with SQL substr, one at a time,
    so a 20 MB file never sits whole in a worker's memory."""
    for start in range(0, size, CHUNK_BYTES):
        piece = db.session.scalar(
            select(func.substr(DisputeDocument.content, start + 1, CHUNK_BYTES,
                               type_=LargeBinary))
            .where(DisputeDocument.id == document_id))
        if not piece:
            return
        yield bytes(piece)


def why_not_withdraw(user, document):
    """Why `user` may not withdraw the document now, or None: NOT_YOURS unless they added it
    and may still read the dispute's papers; else not once withdrawn, nor once the panel has
    had it."""
    if document.added_by_id != user.id or not may_read_papers(user, document.dispute):
        return NOT_YOURS
    if document.withdrawn:
        return "This document has already been withdrawn"
    if decided_on(document.dispute):
        return DECIDED_ON
    return None


def withdraw(document, actor, reason):
    """Withdraw a document, with the reason: it stays listed as withdrawn, and can no longer be
    downloaded."""
    enforce(why_not_withdraw(actor, document), "reason")
    document.withdrawn_at = utcnow()
    document.withdrawn_by_id = actor.id
    document.withdrawal_reason = reason
    db.session.flush()
    # The reason is typed text and stays on the document, which the retention schedule deletes;
    # the append-only audit log outlives it, so it keeps only who and when.
    audit.record("document_withdrawn", document, actor=actor, dispute_id=document.dispute_id)
    return document
