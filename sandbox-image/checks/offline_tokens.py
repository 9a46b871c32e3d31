"""Prove that nanobot counts tokens with no network: run in the image build and under `--network none`.

It asks nanobot's own estimator (the one its agent loop uses) and requires the answer to come from
tiktoken (not nanobot's byte-count fallback) within a few seconds: with the seeded cache, tiktoken never
tries to download. Exit status 0 means offline token counting works.
"""

from __future__ import annotations

import sys
import time

LIMIT_SECONDS = 5.0


def main() -> int:
    started = time.monotonic()
    from nanobot.utils.helpers import estimate_prompt_tokens_chain

    messages = [{"role": "user", "content": "hello world, count my tokens"}]
    tokens, source = estimate_prompt_tokens_chain(None, None, messages)
    elapsed = time.monotonic() - started
    print(f"offline_tokens: {tokens} tokens by {source} in {elapsed:.2f}s")
    if source != "tiktoken":
        print("offline_tokens: tiktoken could not load cl100k_base; check TIKTOKEN_CACHE_DIR", file=sys.stderr)
        return 1
    if elapsed > LIMIT_SECONDS:
        print(f"offline_tokens: took longer than {LIMIT_SECONDS}s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
