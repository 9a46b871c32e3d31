"""Building the control plane's images for the deployment tests: once per session, from the locally made base.

The build context is the repository as `docker build .` would send it (filtered by .dockerignore), plus this
machine's extra CA certificates in sandbox-image/extra-ca/ (the Dockerfile's place for a TLS-intercepting proxy's
certificates), added to the archive so the work tree is never touched. The layer cache makes an unchanged rebuild
take seconds.
"""

from __future__ import annotations

import fcntl
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import docker
from docker.utils.build import exclude_paths, tar

from controlplane.config import PROJECT_ROOT, Settings
from controlplane.sandbox.image import LOCAL_BASE_IMAGE, ensure_base_image

CONTROLPLANE_IMAGE = "autocode-controlplane:test"
CADDY_IMAGE = "autocode-caddy:test"
EXTRA_CA_IN_CONTEXT = "sandbox-image/extra-ca"


def dockerignore_patterns(root: Path = PROJECT_ROOT) -> list[str]:
    lines = (root / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def context_files(root: Path = PROJECT_ROOT) -> set[str]:
    """The paths `docker build` would send (what .dockerignore leaves)."""
    return set(exclude_paths(str(root), dockerignore_patterns(root)))


@contextmanager
def build_context(extra_ca_dir: Path | None) -> Iterator[IO[bytes]]:
    archive = tar(str(PROJECT_ROOT), exclude=dockerignore_patterns(), gzip=False)
    certificates = sorted(extra_ca_dir.glob("*.crt")) if extra_ca_dir and extra_ca_dir.is_dir() else []
    with tempfile.TemporaryFile() as combined:
        combined.write(archive.read())
        archive.close()
        combined.seek(0)
        with tarfile.open(fileobj=combined, mode="a") as bundle:
            for certificate in certificates:
                bundle.add(certificate, arcname=f"{EXTRA_CA_IN_CONTEXT}/{certificate.name}")
        combined.seek(0)
        yield combined


def build(client: docker.DockerClient, target: str, tag: str, log: Path) -> str:
    """Build one stage of the Dockerfile; the whole build output goes to `log`. Returns the image id.

    One build at a time on this machine (pytest-xdist workers each have the session fixture): the first builds,
    the others wait and then find every layer cached."""
    settings = Settings()
    base = ensure_base_image(client, LOCAL_BASE_IMAGE, lambda _: None)
    lock = Path(tempfile.gettempdir()) / "autocode-deploy-images.lock"
    with lock.open("a") as held, build_context(settings.sandbox_extra_ca_dir) as context, log.open("a") as out:
        fcntl.flock(held, fcntl.LOCK_EX)
        out.write(f"--- building {target} as {tag} from {base}\n")
        for chunk in client.api.build(
            fileobj=context,
            custom_context=True,
            tag=tag,
            target=target,
            buildargs={"BASE_IMAGE": base},
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        ):
            if "stream" in chunk:
                out.write(chunk["stream"])
            if "error" in chunk:
                out.flush()
                raise RuntimeError(f"building {target} failed: {chunk['error'].strip()} (log: {log})")
    return client.images.get(tag).id
