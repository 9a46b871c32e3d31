// Byte sequences the phone key bar sends (what a VT100-style keyboard would send in normal cursor mode).
export const KEY_SEQUENCES = {
  Esc: "\x1b",
  Tab: "\t",
  Enter: "\r",
  Up: "\x1b[A",
  Down: "\x1b[B",
  Right: "\x1b[C",
  Left: "\x1b[D",
} as const;

export type KeyName = keyof typeof KEY_SEQUENCES;
