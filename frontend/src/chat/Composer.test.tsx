// The composer refuses a file the message cannot carry when it is picked (before it is read), in words under
// the composer naming the file and the limit in MB, and keeps everything typed and attached before; a message
// the text made too large is not sent; the server's own 413 is said in plain words.
import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { button, render, unmountAll } from "../testing/render";
import { filesBudget, megabytes, type AttachmentLimits } from "./attachmentRules";
import { Composer } from "./Composer";

const MB = 1024 * 1024;
// A server set to take 4 MiB messages: about 3 MB of files.
const LIMITS: AttachmentLimits = {
  maxMessageBytes: 4 * MB, maxFiles: 3, maxImageBytes: 1 * MB, imageTypes: ["image/png", "image/jpeg"],
};

function file(name: string, size: number, type = "application/octet-stream"): File {
  return new File([new Uint8Array(size)], name, { type });
}

async function setup(onSend = vi.fn(async () => undefined)) {
  const el = await render(<Composer answering={false} onSend={onSend} onStop={async () => undefined} limits={LIMITS} />);
  const textarea = el.querySelector("textarea")!;
  const input = el.querySelector<HTMLInputElement>("input[type=file]")!;
  const typeText = (value: string) => act(async () => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(textarea, value);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const pick = (...files: File[]) => act(async () => {
    Object.defineProperty(input, "files", { value: files, configurable: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const attached = () => [...el.querySelectorAll('[aria-label="Files to send"] li')].map((li) => li.textContent ?? "");
  const refused = () => el.querySelector("[data-refused]")!;
  return { el, textarea, typeText, pick, attached, refused, onSend };
}

afterEach(() => unmountAll());

describe("attachment limits", () => {
  it("say the files' share of a message in MB: base64 makes files a third larger", () => {
    expect(megabytes(filesBudget({ ...LIMITS, maxMessageBytes: 40 * MB }, ""))).toBe("30 MB");
    expect(megabytes(LIMITS.maxImageBytes)).toBe("1 MB");
  });
});

describe("Composer with the server's limits", () => {
  it("refuses a file too large at once, naming it and the limit, and loses nothing typed or attached", async () => {
    const { el, textarea, typeText, pick, attached, refused, onSend } = await setup();
    await typeText("Here are the holiday notes");
    await pick(file("notes.txt", 2000, "text/plain"));
    await vi.waitFor(() => expect(attached()).toHaveLength(1));
    await pick(file("holiday.mov", 5 * MB, "video/quicktime"));
    const words = refused().textContent;
    expect(words).toBe("“holiday.mov” (5 MB) doesn't fit: the files of one message can be at most 3 MB together. Send it in a message of its own.");
    // Under the composer: after the message box and its buttons, and the Attach button is described by it.
    expect(textarea.compareDocumentPosition(refused()) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(refused().getAttribute("role")).toBe("alert");
    expect(document.getElementById(button(el, "Attach files").getAttribute("aria-describedby")!)).toBe(refused());
    expect(textarea.value).toBe("Here are the holiday notes");
    expect(attached()).toHaveLength(1);
    expect(attached()[0]).toContain("notes.txt");
    await act(async () => button(el, "Send").click());
    expect(onSend).toHaveBeenCalledWith({
      text: "Here are the holiday notes",
      attachments: [expect.objectContaining({ name: "notes.txt", size: 2000 })],
    });
  });

  it("says a file alone is too large, a picture over the model's limit, and too many files", async () => {
    const { pick, attached, refused } = await setup();
    await pick(file("film.mp4", 4 * MB, "video/mp4"));
    expect(refused().textContent).toBe("“film.mp4” is 4 MB: the files of one message can be at most 3 MB together.");
    await pick(file("beach.png", 1.5 * MB, "image/png"), file("a.txt", 1), file("b.txt", 1), file("c.txt", 1), file("d.txt", 1));
    expect([...refused().querySelectorAll("p")].map((p) => p.textContent)).toEqual([
      "“beach.png” is 1.5 MB: a picture can be at most 1 MB, the largest the agent can look at. Make it smaller and attach it again.",
      "“d.txt” was not added: one message can carry at most 3 files.",
    ]);
    await vi.waitFor(() => expect(attached()).toHaveLength(3));
    // A picture the model does not take as one (not in its types) is a file like any other.
    expect(attached().join(" ")).not.toContain("beach.png");
  });

  it("does not send a message whose text grew past the limit, and keeps it", async () => {
    const { el, textarea, typeText, pick, attached, refused, onSend } = await setup();
    await pick(file("data.bin", 2.9 * MB));
    await vi.waitFor(() => expect(attached()).toHaveLength(1));
    const long = "x".repeat(200_000);
    await typeText(long);
    await act(async () => button(el, "Send").click());
    expect(onSend).not.toHaveBeenCalled();
    expect(refused().textContent).toMatch(/^This message is too large to send: with this text its files can be at most 2\.\d MB\./);
    expect(textarea.value).toBe(long);
    expect(attached()).toHaveLength(1);
  });

  it("says the server's 413 in plain words and keeps the message", async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(413, "Content Too Large", { detail: "Content Too Large" });
    });
    const { el, textarea, typeText } = await setup(onSend);
    await typeText("Look at this");
    await act(async () => button(el, "Send").click());
    expect(el.textContent).toContain("The server refused this message as too large. Remove a file and send it again.");
    expect(el.textContent).not.toContain("Content Too Large");
    expect(textarea.value).toBe("Look at this");
  });
});

describe("a chat that takes words only", () => {
  it("offers no Attach button and sends the text", async () => {
    const onSend = vi.fn(async () => undefined);
    const el = await render(<Composer answering={false} onSend={onSend} onStop={async () => undefined} allowFiles={false} />);
    expect(el.querySelector("input[type=file]")).toBeNull();
    expect([...el.querySelectorAll("button")].map((b) => b.textContent)).not.toContain("Attach files");
  });
});
