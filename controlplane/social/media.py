"""Pictures and videos for posts: stored per person under the data directory by random names (never in a sandbox
home, so nothing a person controls can be a link there), pictures turned into JPEG (Instagram takes nothing else),
and handed to Meta as short-lived signed URLs under the public address that nothing can list or guess.

Meta fetches the media itself with its crawler (`facebookexternalhit`): the public path takes no sign-in, and
robots.txt allows that crawler there (error 2207052 is what a blocked fetch looks like)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session, select

from controlplane.errors import Conflict, InvalidField, NotFound
from controlplane.models.social import MediaKind, SocialMedia
from controlplane.social.context import PUBLIC_MEDIA_PATH, SocialContext

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"})
VIDEO_TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov"}
JPEG_QUALITY = 90
MAX_IMAGE_SIDE = 4096  # far above what Instagram shows (1440), small enough to keep a family's disk in check
URL_TTL = timedelta(hours=2)  # long enough for Meta to fetch a video of a scheduled post, short enough to leak little
FIELD = "file"
NO_PUBLIC_URL = (
    "Meta fetches pictures and videos from this server, and the server's public address is not set: "
    "ask the admin to set AUTOCODE_PUBLIC_URL."
)
ROBOTS_TXT = (
    "# Meta's crawler fetches the media of posts from here; everything else is private.\n"
    "User-agent: facebookexternalhit\n"
    f"Allow: {PUBLIC_MEDIA_PATH}/\n"
    "Disallow: /\n\n"
    "User-agent: *\n"
    "Disallow: /\n"
)


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it, already streamed into a temporary file of ours."""

    path: Path
    name: str
    content_type: str


def user_dir(ctx: SocialContext, user_id: int) -> Path:
    folder = ctx.media_dir / str(user_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def stored_path(ctx: SocialContext, media: SocialMedia) -> Path:
    return ctx.media_dir / str(media.user_id) / media.stored_name


def _is_video(upload: Upload) -> bool:
    """An MP4 or QuickTime file: an ISO base media file starts with a box whose type is `ftyp`."""
    with upload.path.open("rb") as handle:
        head = handle.read(12)
    return len(head) == 12 and head[4:8] == b"ftyp"


def _save_picture(upload: Upload, target: Path) -> tuple[int, int]:
    """The picture as an upright RGB JPEG (transparency on white), at most MAX_IMAGE_SIDE on its longer side."""
    try:
        with Image.open(upload.path) as opened:
            opened.seek(0)  # a GIF's first frame
            picture = ImageOps.exif_transpose(opened)
            if picture.mode in ("RGBA", "LA", "P"):
                rgba = picture.convert("RGBA")
                background = Image.new("RGB", rgba.size, "white")
                background.paste(rgba, mask=rgba.getchannel("A"))
                picture = background
            else:
                picture = picture.convert("RGB")
            picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            picture.save(target, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidField(FIELD, "This picture could not be read: try a JPEG or PNG file.") from exc


def save_upload(ctx: SocialContext, session: Session, user_id: int, upload: Upload) -> SocialMedia:
    """Keep an upload: pictures as JPEG, MP4 and MOV videos as they are; anything else is refused."""
    content_type = upload.content_type.split(";")[0].strip().lower()
    folder = user_dir(ctx, user_id)
    stem = secrets.token_hex(16)
    if content_type in IMAGE_TYPES:
        stored_name, kind, stored_type = f"{stem}.jpg", MediaKind.IMAGE, "image/jpeg"
        size: tuple[int, int] | None = _save_picture(upload, folder / stored_name)
    elif content_type in VIDEO_TYPES and _is_video(upload):
        stored_name, kind, stored_type = f"{stem}{VIDEO_TYPES[content_type]}", MediaKind.VIDEO, content_type
        size = None
        shutil.copyfile(upload.path, folder / stored_name)
    else:
        raise InvalidField(FIELD, "Only pictures (JPEG, PNG, WebP, GIF) and MP4 or MOV videos can be posted.")
    media = SocialMedia(
        user_id=user_id,
        kind=kind.value,
        content_type=stored_type,
        original_name=os.path.basename(upload.name)[:255] or "upload",
        stored_name=stored_name,
        size=(folder / stored_name).stat().st_size,
        width=size[0] if size else None,
        height=size[1] if size else None,
    )
    session.add(media)
    session.commit()
    session.refresh(media)
    return media


def delete_media(ctx: SocialContext, session: Session, media: SocialMedia) -> None:
    stored_path(ctx, media).unlink(missing_ok=True)
    session.delete(media)
    session.commit()


# -- signed URLs --------------------------------------------------------------------------------------------
def _signature(ctx: SocialContext, stored_name: str, expires: int) -> str:
    message = f"social-media:{stored_name}:{expires}".encode()
    return hmac.new(ctx.signing_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def public_url(ctx: SocialContext, media: SocialMedia) -> str:
    """A URL Meta can fetch for the next URL_TTL: `<stem>-<expiry>-<signature><ext>` under the public address."""
    if not ctx.public_url:
        raise Conflict(NO_PUBLIC_URL)
    expires = int((ctx.now() + URL_TTL).timestamp())
    stem, ext = os.path.splitext(media.stored_name)
    token = f"{stem}-{expires}-{_signature(ctx, media.stored_name, expires)}{ext}"
    return f"{ctx.public_url}{PUBLIC_MEDIA_PATH}/{token}"


def resolve_public(ctx: SocialContext, session: Session, token: str) -> tuple[Path, str]:
    """The file behind a signed token and its type; an unknown, altered or expired token is simply not found."""
    stem_part, ext = os.path.splitext(token)
    parts = stem_part.split("-")
    if len(parts) != 3 or not parts[1].isdigit():
        raise NotFound("File")
    stem, expires_text, signature = parts
    stored_name = f"{stem}{ext}"
    expires = int(expires_text)
    if not hmac.compare_digest(signature, _signature(ctx, stored_name, expires)) or expires < ctx.now().timestamp():
        raise NotFound("File")
    media = session.exec(select(SocialMedia).where(SocialMedia.stored_name == stored_name)).first()
    path = stored_path(ctx, media) if media else None
    if media is None or path is None or path.is_symlink() or not path.is_file():
        raise NotFound("File")
    return path, media.content_type
