// A failed mutation as a form shows it: keys for nested fields, a form-level line that says what to do.
import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "./errors";
import { formErrors, nestedFieldErrors, NO_ERRORS } from "./formErrors";

const PLAN_422 = {
  detail: [
    { loc: ["body", "steps", 0, "title"], msg: "String should have at least 1 character" },
    { loc: ["body", "steps", 1], msg: "Value error, A step needs a title or details" },
    { loc: ["body", "steps", 0, "title"], msg: "a second message for the same field" },
    { loc: ["body", "name"], msg: "Field required" },
  ],
};

describe("formErrors", () => {
  it("keys nested locs by their dotted path (steps.0.title, steps.1) and keeps the top-level key", () => {
    expect(nestedFieldErrors(PLAN_422)).toEqual({
      "steps.0.title": "String should have at least 1 character",
      steps: "String should have at least 1 character",
      "steps.1": "A step needs a title or details",
      name: "Field required",
    });
  });

  it("skips locs naming only the body, and non-list details", () => {
    expect(nestedFieldErrors({ detail: [{ loc: ["body"], msg: "Invalid JSON" }] })).toEqual({});
    expect(nestedFieldErrors({ detail: "Conflict" })).toEqual({});
    expect(nestedFieldErrors(null)).toEqual({});
    expect(nestedFieldErrors({ detail: [{ loc: ["query", "limit"], msg: "too big" }] })).toEqual({
      "query.limit": "too big",
      query: "too big",
    });
  });

  it("says what to do when fields are named, without pointing 'below'", () => {
    const errors = formErrors(new ApiError(422, "steps: bad", PLAN_422));
    expect(errors.message).toBe("Please correct the highlighted fields.");
    expect(errors.message).toBe("Please correct the highlighted fields.");
    expect(errors.message).not.toMatch(/below/);
    expect(errors.fields["steps.0.title"]).toBe("String should have at least 1 character");
  });

  it("gives the server's message when no field is named, or for any other failure", () => {
    expect(formErrors(new ApiError(422, "Invalid JSON", { detail: [{ loc: ["body"], msg: "Invalid JSON" }] }))).toEqual({
      message: "Invalid JSON",
      fields: {},
    });
    expect(formErrors(new ApiError(409, "You already have an agent named 'a'", { detail: "x" }))).toEqual({
      message: "You already have an agent named 'a'",
      fields: {},
    });
    expect(formErrors(new NetworkError(null)).message).toBe("The AutoCode server is unreachable");
    expect(formErrors(null)).toBe(NO_ERRORS);
  });

  it("puts a 409 under the field the form says it is about, and leaves the form's line empty", () => {
    const taken = new ApiError(409, "A user named 'mum' already exists", { detail: "x" });
    expect(formErrors(taken, "username")).toEqual({ message: null, fields: { username: "A user named 'mum' already exists" } });
    // A form naming no such field keeps it as the form's line; other statuses are never moved.
    expect(formErrors(new ApiError(409, "Taken", {}))).toEqual({ message: "Taken", fields: {} });
    expect(formErrors(new ApiError(500, "Broken", {}), "username")).toEqual({ message: "Broken", fields: {} });
  });

  it("returns the same object for the same error, and a new one for a new error", () => {
    const error = new ApiError(422, "bad", PLAN_422);
    expect(formErrors(error)).toBe(formErrors(error));
    expect(formErrors(error).fields).not.toBe(formErrors(new ApiError(422, "bad", PLAN_422)).fields);
  });
});
