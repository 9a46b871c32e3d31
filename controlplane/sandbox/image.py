"""Building the sandbox image, with a locally made Debian base when no registry can be reached.

The image is versioned with the release: it is built as settings.sandbox_image (by default
`autocode-sandbox:<controlplane.__version__>`, the image this control plane wants), tagged `:<version>` and
`:latest` in the same repository too, and labelled `autocode.version=<version>`. Sandboxes made from another
image move to the wanted one when they are next idle (reconciler.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound

from controlplane import __version__
from controlplane.config import PROJECT_ROOT, Settings

IMAGE_CONTEXT = PROJECT_ROOT / "sandbox-image"
LOCAL_BASE_IMAGE = "autocode-base:bookworm"
DEBIAN_SUITE = "bookworm"
LABEL_VERSION = "autocode.version"
Say = Callable[[str], None]


class ImageBuildError(Exception):
    pass


def ensure_base_image(client: docker.DockerClient, wanted: str, say: Say) -> str:
    """The wanted base if present or pullable; otherwise a debootstrap-made Debian, built once."""
    for name in (wanted, LOCAL_BASE_IMAGE):
        try:
            client.images.get(name)
        except ImageNotFound:
            continue
        if name != wanted:
            say(f"using the locally made base image {name} ({wanted} is not available)")
        return name
    say(f"pulling {wanted} ...")
    try:
        client.images.pull(wanted)
        return wanted
    except APIError as exc:
        say(f"cannot pull {wanted} ({exc.explanation}); making a local Debian {DEBIAN_SUITE} base with debootstrap")
    make_debootstrap_base(client, say)
    return LOCAL_BASE_IMAGE


def make_debootstrap_base(client: docker.DockerClient, say: Say) -> None:
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise ImageBuildError(
            "debootstrap is not installed; on Debian run `apt-get install debootstrap` (or make an image named "
            f"{LOCAL_BASE_IMAGE}, or set AUTOCODE_SANDBOX_BASE_IMAGE to an image you have)"
        )
    if os.geteuid() != 0:
        raise ImageBuildError("debootstrap needs root; run `autocode sandbox build` as root once")
    with tempfile.TemporaryDirectory(prefix="autocode-rootfs-") as rootfs:
        say(f"debootstrap --variant=minbase {DEBIAN_SUITE} (about half a minute) ...")
        result = subprocess.run(
            [debootstrap, "--variant=minbase", DEBIAN_SUITE, rootfs, "http://deb.debian.org/debian"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ImageBuildError(f"debootstrap failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        say(f"importing the root filesystem as {LOCAL_BASE_IMAGE} ...")
        archive = subprocess.run(
            [shutil.which("tar") or "tar", "-C", rootfs, "-c", "."], capture_output=True, check=True
        ).stdout
        client.api.import_image_from_data(archive, repository=LOCAL_BASE_IMAGE)


def _prepare_context(target: Path, extra_ca_dir: Path | None, say: Say) -> None:
    shutil.copytree(IMAGE_CONTEXT, target, ignore=shutil.ignore_patterns("*.crt", "__pycache__", "*.egg-info"))
    certificates = sorted(extra_ca_dir.glob("*.crt")) if extra_ca_dir and extra_ca_dir.is_dir() else []
    (target / "extra-ca").mkdir(exist_ok=True)
    for certificate in certificates:
        shutil.copy2(certificate, target / "extra-ca" / certificate.name)
    if certificates:
        say(f"trusting {len(certificates)} extra CA certificate(s) from {extra_ca_dir} during the build")


def release_tags(image: str, version: str = __version__) -> list[str]:
    """The names one build gets: the wanted image, and `:<version>` and `:latest` of its repository."""
    repository, _, tag = image.rpartition(":")
    if not repository or "/" in tag:  # no tag given (a registry's port is not one)
        repository = image
    names = [image, f"{repository}:{version}", f"{repository}:latest"]
    return list(dict.fromkeys(names))


def image_version(client: docker.DockerClient, image: str) -> str | None:
    """The release an image was built for (its autocode.version label); None when missing or unlabelled."""
    try:
        labels = client.images.get(image).labels or {}
    except ImageNotFound:
        return None
    return labels.get(LABEL_VERSION)


def build_image(settings: Settings, client: docker.DockerClient, say: Say) -> str | None:
    """Build settings.sandbox_image for this release, printing the build's progress; returns the image id."""
    base = ensure_base_image(client, settings.sandbox_base_image, say)
    with tempfile.TemporaryDirectory(prefix="autocode-image-") as tmp:
        context = Path(tmp) / "context"
        _prepare_context(context, settings.sandbox_extra_ca_dir, say)
        say(f"building {settings.sandbox_image} from {base} (cached layers make rebuilds quick) ...")
        image_id: str | None = None
        for chunk in client.api.build(
            path=str(context),
            tag=settings.sandbox_image,
            buildargs={"BASE_IMAGE": base},
            labels={LABEL_VERSION: __version__},
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        ):
            if "error" in chunk:
                raise ImageBuildError(f"the image build failed: {chunk['error'].strip()}")
            if "stream" in chunk and chunk["stream"].strip():
                say(chunk["stream"].rstrip())
            if "aux" in chunk and "ID" in chunk["aux"]:
                image_id = chunk["aux"]["ID"]
    image = client.images.get(image_id or settings.sandbox_image)
    names = release_tags(settings.sandbox_image)
    for name in names[1:]:
        repository, _, tag = name.rpartition(":")
        image.tag(repository, tag)
    say(f"built {', '.join(names)} (release {__version__}); idle sandboxes on an older image move to it")
    return str(image.id)
