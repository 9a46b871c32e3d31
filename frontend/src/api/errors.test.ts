import { describe, expect, it } from "vitest";
import { ApiError, fieldErrors, messageFromBody } from "./errors";

describe("server messages", () => {
  const invalid = {
    detail: [
      { loc: ["body", "model"], msg: 'Value error, Model must look like "provider/model"' },
      { loc: ["body", "mcp_servers", "x", "url"], msg: "Input should be a valid URL" },
      { loc: ["body", "model"], msg: "second message for the same field" },
      { loc: ["query", "limit"], msg: "too big" },
    ],
  };

  it("maps validation errors to fields, first message per field, without pydantic's prefix", () => {
    expect(fieldErrors(invalid)).toEqual({
      model: 'Model must look like "provider/model"',
      mcp_servers: "Input should be a valid URL",
      query: "too big",
    });
    expect(fieldErrors({ detail: "Conflict" })).toEqual({});
  });

  it("gives one line for a form: the detail string or the first field's message", () => {
    expect(messageFromBody({ detail: "You already have an agent named 'a'" }, "x")).toBe("You already have an agent named 'a'");
    expect(messageFromBody(invalid, "x")).toBe('model: Model must look like "provider/model"');
    expect(messageFromBody(null, "500 Internal Server Error")).toBe("500 Internal Server Error");
  });

  it("ApiError exposes its field errors", () => {
    expect(new ApiError(422, "bad", invalid).fields.model).toBe('Model must look like "provider/model"');
  });
});
