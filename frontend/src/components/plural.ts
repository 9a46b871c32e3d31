// A count with its noun in the right number: "1 tool", "2 tools", "0 tools".

/** `plural(1, "tool", "tools")` is "1 tool"; any other count takes the plural form. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
