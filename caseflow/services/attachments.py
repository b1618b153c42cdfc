"""Evidence on a case: what a file is (decided from its bytes), where it is kept, and how it
is served.

A file is accepted only if its first bytes name an allowed kind (images, PDF, common audio
and video), nothing in it names a second, dangerous kind (a polyglot: an image that is also
a ZIP, a PDF with scripts, HTML hidden in a photo), an image decodes within a pixel limit (a
decompression bomb is refused before it is decoded), and its declared type and name agree
with its bytes. A refused file is never written.

Files are kept outside the web root in STORAGE_DIR (the same directory for every web node),
named by their SHA-256, which the row records; every download re-hashes the bytes and a
mismatch raises an alarm to the administrators and the supervisors of the place instead of
serving them. Images get a JPEG thumbnail with no metadata (EXIF and its GPS position are
not copied); the original stays as uploaded. Nothing is ever deleted: an attachment is
withdrawn with a reason and stays visible to supervisors.
"""

import hashlib
import io
import logging
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import policy, timeutil
from ..extensions import db
from ..models import Attachment, Case, User
from ..vocab import ATTACHMENT_KINDS
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, NotFound, ServiceError, ValidationFailed

log = logging.getLogger(__name__)

THUMBNAIL_BOX = (480, 480)
MAX_DESCRIPTION = 2000
MAX_FILENAME = 200


class IntegrityFailure(ServiceError):
    """The stored bytes are not the ones uploaded (or are gone): never served."""

    status, code = 409, "integrity_check_failed"
    default_message = _l(
        "This file failed its integrity check and is not served; the administrators have "
        "been alerted."
    )


# --- what a file is ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    content_type: str
    family: str  # image, pdf, audio, video
    mimes: frozenset[str]
    extensions: frozenset[str]


def _type(content_type, family, mimes, extensions) -> FileType:
    return FileType(content_type, family, frozenset(mimes), frozenset(extensions))


JPEG = _type(
    "image/jpeg",
    "image",
    {"image/jpeg", "image/jpg", "image/pjpeg"},
    {"jpg", "jpeg", "jpe", "jfif"},
)
PNG = _type("image/png", "image", {"image/png"}, {"png"})
# iPhone and many Android cameras save HEIC; decoded by pillow-heif (libheif), see
# _heif_opener. The original is kept as uploaded; the thumbnail is a JPEG.
HEIC = _type(
    "image/heic",
    "image",
    {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"},
    {"heic", "heif"},
)
PDF = _type("application/pdf", "pdf", {"application/pdf", "application/x-pdf"}, {"pdf"})
MP3 = _type("audio/mpeg", "audio", {"audio/mpeg", "audio/mp3"}, {"mp3"})
WAV = _type("audio/wav", "audio", {"audio/wav", "audio/x-wav", "audio/wave"}, {"wav"})
OGG = _type(
    "audio/ogg", "audio", {"audio/ogg", "application/ogg", "video/ogg"}, {"ogg", "oga", "opus"}
)
AMR = _type("audio/amr", "audio", {"audio/amr"}, {"amr"})
M4A = _type(
    "audio/mp4", "audio", {"audio/mp4", "audio/x-m4a", "audio/m4a", "video/mp4"}, {"m4a", "mp4"}
)
MP4 = _type("video/mp4", "video", {"video/mp4", "audio/mp4"}, {"mp4", "m4v"})
MOV = _type("video/quicktime", "video", {"video/quicktime"}, {"mov", "qt"})
GPP = _type("video/3gpp", "video", {"video/3gpp", "video/3gpp2", "audio/3gpp"}, {"3gp", "3g2"})
WEBM = _type(
    "video/webm", "video", {"video/webm", "audio/webm", "video/x-matroska"}, {"webm", "mkv"}
)

ALLOWED = (JPEG, PNG, HEIC, PDF, MP3, WAV, OGG, AMR, M4A, MP4, MOV, GPP, WEBM)

# ISO base media files (MP4 and relatives) say what they are in their `ftyp` brand.
FTYP_BRANDS = {
    b"M4A ": M4A,
    b"M4B ": M4A,
    b"qt  ": MOV,
    b"isom": MP4,
    b"iso2": MP4,
    b"iso4": MP4,
    b"iso5": MP4,
    b"iso6": MP4,
    b"mp41": MP4,
    b"mp42": MP4,
    b"avc1": MP4,
    b"M4V ": MP4,
    b"MSNV": MP4,
    b"dash": MP4,
}
# HEIF stills and sequences of HEVC pictures (ISO/IEC 23008-12); AVIF (AV1 inside) has no
# decoder here and is refused.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

# Kinds refused outright, by their first bytes (after a BOM and white space for text).
REFUSED_MAGIC = (
    (b"MZ", _l("Programs (executables) cannot be attached.")),
    (b"\x7fELF", _l("Programs (executables) cannot be attached.")),
    (b"\xfe\xed\xfa\xce", _l("Programs (executables) cannot be attached.")),
    (b"\xfe\xed\xfa\xcf", _l("Programs (executables) cannot be attached.")),
    (b"\xce\xfa\xed\xfe", _l("Programs (executables) cannot be attached.")),
    (b"\xcf\xfa\xed\xfe", _l("Programs (executables) cannot be attached.")),
    (b"\xca\xfe\xba\xbe", _l("Programs (executables) cannot be attached.")),
    (b"#!", _l("Programs (executables) cannot be attached.")),
    (b"PK\x03\x04", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (b"PK\x05\x06", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (b"Rar!\x1a\x07", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (
        b"7z\xbc\xaf\x27\x1c",
        _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file."),
    ),
    (b"\x1f\x8b", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (b"BZh", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (b"\xfd7zXZ\x00", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
    (b"MSCF", _l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file.")),
)
SVG_OR_XML = re.compile(rb"^(<\?xml|<svg|<!doctype svg)", re.IGNORECASE)
HTML = re.compile(rb"^(<!doctype html|<html|<head|<body|<script|<iframe)", re.IGNORECASE)

# Active content anywhere in an accepted file makes it a polyglot: a browser or viewer that
# sniffs it would run it.
ACTIVE_CONTENT = re.compile(
    rb"<script|<svg[\s>]|<html[\s>]|<!doctype html|<\?php|<iframe|javascript:", re.IGNORECASE
)
# A PDF that runs scripts, launches programs or carries files inside it.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA)\b")
ZIP_END = b"PK\x05\x06"
EXTENSIONS_KNOWN = frozenset().union(*(t.extensions for t in ALLOWED)) | {
    "svg", "svgz", "html", "htm", "xhtml", "js", "exe", "dll", "bat", "cmd", "sh", "zip",
    "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "apk", "jar", "heic", "heif", "gif",
    "bmp", "tif", "tiff", "webp", "doc", "docx", "xls", "xlsx",
}  # fmt: skip


class Refused(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _magic_type(data: bytes) -> FileType:
    """The allowed type the first bytes name, or Refused with the reason."""
    head = data[:64]
    for magic, message in REFUSED_MAGIC:
        if head.startswith(magic):
            raise Refused(message)
    if len(data) > 262 and data[257:262] == b"ustar":
        raise Refused(_l("Archives (ZIP, RAR, 7z, gzip…) cannot be attached: attach each file."))
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if SVG_OR_XML.match(text):
        raise Refused(
            _l("SVG and XML files cannot be attached: export the picture as PNG or JPEG.")
        )
    if HTML.match(text):
        raise Refused(_l("Web pages (HTML) cannot be attached: print them to PDF."))
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"ID3") or (
        len(head) > 2 and head[0] == 0xFF and head[1] & 0xE6 in (0xE2, 0xE4, 0xE6)
    ):
        return MP3
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"\x1aE\xdf\xa3"):
        return WEBM
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIF_BRANDS:
            return HEIC
        if brand in (b"avif", b"avis"):
            raise Refused(
                _l("AVIF pictures cannot be attached: attach the photo as JPEG, PNG or HEIC.")
            )
        if brand in FTYP_BRANDS:
            return FTYP_BRANDS[brand]
        if brand.startswith(b"3g"):
            return GPP
    raise Refused(
        _l("This kind of file cannot be attached: photos (JPEG, PNG), PDF, audio and video only.")
    )


def _no_second_file(data: bytes, kind: FileType) -> None:
    """Refuse a polyglot: active content anywhere, a ZIP directory at the end (how ZIP
    readers find an archive glued to another file), data after an image's end."""
    if ACTIVE_CONTENT.search(data):
        raise Refused(_l("The file contains web code (script or HTML) and is refused."))
    tail_start = max(0, len(data) - 65_557)
    at = data.rfind(ZIP_END, tail_start)
    while at != -1:
        comment_length = int.from_bytes(data[at + 20 : at + 22], "little")
        if at + 22 + comment_length == len(data):
            raise Refused(_l("The file has an archive hidden in it and is refused."))
        at = data.rfind(ZIP_END, tail_start, at)
    if kind is PDF and PDF_ACTIVE.search(data):
        raise Refused(_l("PDF files with scripts or embedded files cannot be attached."))
    trimmed = data.rstrip(b"\x00")
    if kind is JPEG and not trimmed.endswith(b"\xff\xd9"):
        raise Refused(_l("The photo is damaged or has another file appended and is refused."))
    if kind is PNG and not trimmed.endswith(b"IEND\xaeB`\x82"):
        raise Refused(_l("The picture is damaged or has another file appended and is refused."))


def _heif_opener() -> None:
    """Let Pillow open HEIC/HEIF (pillow-heif; registering twice is harmless)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _decode_image(data: bytes) -> None:
    """Decode the whole image, refusing one whose pixel count exceeds the limit before any
    pixel is decoded (a small file can unpack to gigabytes)."""
    from PIL import Image, UnidentifiedImageError

    _heif_opener()

    limit = current_app.config["ATTACHMENT_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > limit:
                    raise Refused(_bomb_message())
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_bomb_message()) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused(_l("The picture is damaged and cannot be read.")) from None


def _bomb_message():
    return _l("The picture is too large in pixels (a decompression bomb?) and is refused.")


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def inspect(data: bytes, filename: str, declared_type: str | None) -> FileType:
    """The file's type, decided from its bytes; Refused if it may not be attached."""
    kind = _magic_type(data)
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream" and declared not in kind.mimes:
        raise Refused(_l("The file's declared type does not match its contents."))
    extension = _extension(filename)
    if extension in EXTENSIONS_KNOWN and extension not in kind.extensions:
        raise Refused(_l("The file's name does not match its contents."))
    _no_second_file(data, kind)
    if kind.family == "image":
        _decode_image(data)
    return kind


def thumbnail(data: bytes) -> bytes:
    """A small JPEG for the case page: turned upright, no EXIF (so no GPS position), no
    other metadata; the original is kept as uploaded."""
    from PIL import Image, ImageOps

    _heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(THUMBNAIL_BOX)
        clean = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=80)  # a new image: no exif, icc or comment is carried
    return out.getvalue()


# --- storage ------------------------------------------------------------------------------


def storage_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def stored_path(digest: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError("not a SHA-256 digest")
    return storage_dir() / digest[:2] / digest


def _store(data: bytes) -> str:
    """Write the bytes under their SHA-256, atomically (a half-written file never carries
    the name); the same bytes uploaded twice are kept once."""
    digest = hashlib.sha256(data).hexdigest()
    path = stored_path(digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read_verified(attachment: Attachment, thumbnail_only: bool = False) -> bytes:
    """The stored bytes, if their SHA-256 is the recorded one; IntegrityFailure otherwise
    (after raising the alarm, which the caller commits)."""
    digest = attachment.thumbnail_sha256 if thumbnail_only else attachment.sha256
    try:
        data = stored_path(digest).read_bytes()
    except OSError:
        data = None
    found = hashlib.sha256(data).hexdigest() if data is not None else "missing"
    if found != digest:
        _alarm(attachment, found, thumbnail_only)
        raise IntegrityFailure()
    return data


def _alarm(attachment: Attachment, found: str, thumbnail_only: bool) -> None:
    """Tell the administrators and the supervisors of the place, once per distinct fault.
    The text names the case number and the attachment's id, never a person."""
    from .notifications import notify_all
    from .sweeps import supervisors_over

    case = attachment.case
    log.error(
        "attachment %s of case %s: stored %s has SHA-256 %s, recorded %s",
        attachment.id,
        case.number,
        "thumbnail" if thumbnail_only else "file",
        found,
        attachment.thumbnail_sha256 if thumbnail_only else attachment.sha256,
    )
    admins = db.session.scalars(select(User).where(User.role == "admin", User.active)).all()
    people = {u.id: u for u in [*admins, *supervisors_over(case.jurisdiction)]}.values()
    notify_all(
        people,
        f"attachment-integrity:{attachment.id}:{'t' if thumbnail_only else 'f'}:{found}",
        "integrity_alarm",
        _(
            "Integrity alarm: attachment %(id)s of case %(number)s",
            id=attachment.id,
            number=case.number,
        ),
        _(
            "The stored file of attachment %(id)s on case %(number)s does not match the hash "
            "recorded when it was uploaded, so it was not served. Check the storage directory "
            "and its backups.",
            id=attachment.id,
            number=case.number,
        ),
        case,
    )


# --- changes ------------------------------------------------------------------------------


def _check_fields(kind, description, acted_on) -> dict:
    errors: dict[str, list] = {}
    if kind not in ATTACHMENT_KINDS:
        errors["kind"] = [_l("Choose what kind of evidence this is.")]
    if description is not None and len(description) > MAX_DESCRIPTION:
        errors["description"] = [_l("At most 2000 characters.")]
    if acted_on is not None:
        if not isinstance(acted_on, date):
            errors["acted_on"] = [_l("Dates are written like 2026-11-23.")]
        elif acted_on > timeutil.to_local(timeutil.now()).date():
            errors["acted_on"] = [_l("The date cannot be in the future.")]
    return errors


def _check_size(case: Case, data: bytes) -> None:
    config = current_app.config
    if not data:
        raise ValidationFailed(fields={"file": [_l("The file is empty.")]})
    if len(data) > config["ATTACHMENT_MAX_BYTES"]:
        raise ValidationFailed(
            fields={
                "file": [
                    _l(
                        "The file is larger than %(mb)s MB.",
                        mb=config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
                    )
                ]
            }
        )
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.case_id == case.id
        )
    ).one()
    if count >= config["ATTACHMENT_CASE_MAX_COUNT"]:
        raise ValidationFailed(
            fields={"file": [_l("This case already has the most attachments allowed.")]}
        )
    if total + len(data) > config["ATTACHMENT_CASE_MAX_BYTES"]:
        raise ValidationFailed(
            fields={"file": [_l("This file would take the case over its storage limit.")]}
        )


@conflicts_as_409
def add(
    case: Case,
    actor: User,
    *,
    kind: str,
    description: str | None,
    acted_on: date | None,
    filename: str,
    declared_type: str | None,
    data: bytes,
    version=None,
) -> Attachment:
    """Attach a file to the case. Order: version (409), role (403), fields and the file
    itself (422). Nothing is written for a refused file."""
    if version is not None:
        check_version(case, version)
    if not policy.can_add_attachment(actor, case):
        raise Forbidden(_l("Only the case team may attach evidence to this case."))
    errors = _check_fields(kind, description, acted_on)
    if errors:
        raise ValidationFailed(fields=errors)
    _check_size(case, data)
    try:
        file_type = inspect(data, filename or "", declared_type)
    except Refused as exc:
        raise ValidationFailed(exc.message, fields={"file": [exc.message]}) from None
    thumb = thumbnail(data) if file_type.family == "image" else None
    attachment = Attachment(
        case=case,
        kind=kind,
        description=(description or "").strip(),
        acted_on=acted_on,
        filename=(filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:MAX_FILENAME] or "file",
        content_type=file_type.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        thumbnail_sha256=hashlib.sha256(thumb).hexdigest() if thumb else None,
        uploaded_by_id=actor.id,
        uploaded_at=timeutil.now(),
    )
    db.session.add(attachment)
    touch(case)
    flush()
    append_event(
        case,
        actor,
        "attachment_added",
        case.state,
        "",
        {
            "attachment_id": attachment.id,
            "kind": kind,
            "content_type": file_type.content_type,
            "size": len(data),
            "sha256": attachment.sha256,
        },
    )
    flush()
    # Written last, once the row is accepted: a refused or conflicting upload leaves no file.
    _store(data)
    if thumb:
        _store(thumb)
    return attachment


@conflicts_as_409
def withdraw(attachment: Attachment, actor: User, reason: str, version=None) -> Attachment:
    case = attachment.case
    if version is not None:
        check_version(case, version)
    if attachment.withdrawn:
        raise InvalidTransitionError(_l("This attachment was already withdrawn."))
    if not policy.can_withdraw_attachment(actor, attachment):
        raise Forbidden(
            _l("Only who attached it, the handling unit or a supervisor may withdraw it.")
        )
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(fields={"reason": [_l("Say why it is withdrawn.")]})
    if len(reason) > MAX_DESCRIPTION:
        raise ValidationFailed(fields={"reason": [_l("At most 2000 characters.")]})
    attachment.withdrawn_at = timeutil.now()
    attachment.withdrawn_by_id = actor.id
    attachment.withdraw_reason = reason
    touch(case)
    append_event(
        case, actor, "attachment_withdrawn", case.state, "", {"attachment_id": attachment.id}
    )
    flush()
    return attachment


# --- reading ------------------------------------------------------------------------------


def listed(user: User, case: Case) -> list[Attachment]:
    """What the user sees in the case's attachment list: none without identity access;
    withdrawn ones for supervisors only."""
    if not policy.can_see_attachments(user, case):
        return []
    query = select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    if not policy.can_see_withdrawn_attachments(user, case):
        query = query.where(Attachment.withdrawn_at.is_(None))
    return list(db.session.scalars(query))


def find(user: User, case: Case, attachment_id) -> Attachment:
    """The attachment if this user may open it; NotFound otherwise (like an unseen case)."""
    if not isinstance(attachment_id, int) or not 0 < attachment_id <= policy.MAX_ID:
        raise NotFound()
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound()
    if not policy.can_see_attachments(user, case):
        raise Forbidden(_l("Attachments are shown to the case team only."))
    if attachment.withdrawn and not policy.can_see_withdrawn_attachments(user, case):
        raise NotFound()
    return attachment


def signed_scans(user: User, case: Case, kind: str) -> list[Attachment]:
    """The signed scans of one printable document, shown next to its print view."""
    return [a for a in listed(user, case) if a.kind == kind and not a.withdrawn]
