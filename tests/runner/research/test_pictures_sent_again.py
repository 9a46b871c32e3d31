"""A picture in a message sent again (after a crash or a control-plane restart) arrives by path only, since its
inline copy is never stored: the research backend reads it back from the workspace, never through a link."""

from __future__ import annotations

import base64
from pathlib import Path

from autocode_runner.contract.chat import ChatAttachment
from autocode_runner.research.claude_print import MAX_IMAGE_BYTES, user_line, with_images

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def test_a_picture_sent_by_path_is_read_back_inline_and_a_link_or_other_file_stays_a_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace = home / "research" / "alpha"
    (workspace / "attachments").mkdir(parents=True)
    (workspace / "attachments" / "dot.png").write_bytes(PNG)
    (workspace / "attachments" / "notes.txt").write_text("notes")
    (tmp_path / "elsewhere.png").write_bytes(b"not for the model")
    (workspace / "attachments" / "planted.png").symlink_to(tmp_path / "elsewhere.png")
    (workspace / "attachments" / "huge.png").write_bytes(b"\x00" * (MAX_IMAGE_BYTES + 1))
    inline = base64.b64encode(b"sent inline").decode()
    attachments = [
        ChatAttachment("dot.png", "attachments/dot.png", "image/png"),
        ChatAttachment("notes.txt", "attachments/notes.txt", "text/plain"),
        ChatAttachment("planted.png", "attachments/planted.png", "image/png"),
        ChatAttachment("huge.png", "attachments/huge.png", "image/png"),
        ChatAttachment("gone.png", "attachments/gone.png", "image/png"),
        ChatAttachment("fresh.jpg", "attachments/fresh.jpg", "image/jpeg", inline),
    ]

    result = with_images(attachments, home, workspace)

    assert [item.image_base64 for item in result] == [base64.b64encode(PNG).decode(), "", "", "", "", inline]
    line = user_line("what is this?", result)
    images = [block["source"] for block in line["message"]["content"] if block["type"] == "image"]
    assert [(image["media_type"], image["data"]) for image in images] == [
        ("image/png", base64.b64encode(PNG).decode()),
        ("image/jpeg", inline),
    ]
    text = line["message"]["content"][-1]["text"]
    assert "attachments/planted.png" in text and "attachments/notes.txt" in text and "attachments/dot.png" not in text
