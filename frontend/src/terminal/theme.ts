// The terminal's background, one value for xterm's theme and the frame around it, so the strip that is
// narrower than a column (right of the last one) and the frame's padding are the terminal's own colour.
export const TERMINAL_BACKGROUND = "#020617";
