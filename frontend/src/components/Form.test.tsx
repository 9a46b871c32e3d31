// A field's hint and rule are there before anything is typed; an error joins them under the field, and the
// rule turned error is said once. Everything under a field is what aria-describedby names.
import { afterEach, describe, expect, it } from "vitest";
import type { FieldLimit } from "../api/limits";
import { describedBy, field, render, unmountAll } from "../testing/render";
import { TextArea, TextInput } from "./Form";

afterEach(unmountAll);

const RULE: FieldLimit = { maxLength: 80, rule: "Use at most 80 characters, on one line." };

describe("field texts", () => {
  it("shows the hint, then the server's rule, before anything is typed", async () => {
    const el = await render(<TextInput label="Name" hint="How they are named here." limit={RULE} />);

    const input = field(el, "Name");
    expect(describedBy(input)).toBe("How they are named here. Use at most 80 characters, on one line.");
    expect(input.getAttribute("aria-invalid")).toBe("false");
  });

  it("shows a rule alone when there is no hint, and nothing when there is neither", async () => {
    const el = await render(<><TextInput label="Ruled" limit={RULE} /><TextInput label="Plain" /></>);

    expect(describedBy(field(el, "Ruled"))).toBe(RULE.rule);
    expect(field(el, "Plain").hasAttribute("aria-describedby")).toBe(false);
  });

  it("puts an error after the hint, marked invalid and described by both", async () => {
    const el = await render(<TextInput label="Name" hint="Shown to everyone." limit={RULE} error="Someone has this name." />);

    const input = field(el, "Name");
    expect(describedBy(input)).toBe(`Shown to everyone. ${RULE.rule} | Someone has this name.`);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const [hintEl, errorEl] = (input.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)!);
    // Under the field, in that order.
    expect(input.compareDocumentPosition(hintEl) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(hintEl.compareDocumentPosition(errorEl) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("says the rule once when it is the error", async () => {
    const el = await render(<TextInput label="Name" hint="Shown to everyone." limit={RULE} error={RULE.rule} />);

    expect(describedBy(field(el, "Name"))).toBe(`Shown to everyone. | ${RULE.rule}`);
    expect(el.textContent?.split(RULE.rule!).length).toBe(2);
  });

  it("still takes a hint and an error without a limit, on a text area too", async () => {
    const el = await render(<TextArea label="Rules" hint="Markdown." error="Too long." />);

    expect(describedBy(el.querySelector("textarea")!)).toBe("Markdown. | Too long.");
  });
});
