import { afterEach, describe, expect, it } from "vitest";
import { render, unmountAll } from "../testing/render";
import { Markdown } from "./Markdown";

afterEach(() => unmountAll());

describe("Markdown", () => {
  it("highlights a fenced block that names its language, never renders raw HTML, and opens links in a new tab", async () => {
    const el = await render(
      <Markdown>{"```python\ndef greet():\n    return 'hi'\n```\n\n<script>alert(1)</script>\n\n[docs](https://example.com)"}</Markdown>,
    );
    expect(el.querySelector("code.hljs.language-python .hljs-keyword")?.textContent).toBe("def");
    expect(el.querySelector(".hljs-string")?.textContent).toBe("'hi'");
    expect(el.querySelector("script")).toBeNull();
    const link = el.querySelector("a");
    expect(link?.getAttribute("target")).toBe("_blank");
    expect(link?.getAttribute("rel")).toBe("noopener noreferrer");
  });
});
