// xterm.js and its fit addon for unit tests, which have no canvas: every terminal test mocks both modules with
// this one (`vi.mock("@xterm/xterm", () => import("../testing/xterm"))`). The terminal records what it was
// written and lets a test type into it or resize it, as a person would.
export class Terminal {
  cols = 80;
  rows = 24;
  options = {};
  written: (string | Uint8Array)[] = [];
  disposed = false;
  private dataCbs: ((d: string) => void)[] = [];
  private resizeCbs: ((s: { cols: number; rows: number }) => void)[] = [];
  loadAddon() {}
  open() {}
  focus() {}
  write(d: string | Uint8Array) {
    this.written.push(d);
  }
  onData(cb: (d: string) => void) {
    this.dataCbs.push(cb);
    return { dispose() {} };
  }
  onResize(cb: (s: { cols: number; rows: number }) => void) {
    this.resizeCbs.push(cb);
    return { dispose() {} };
  }
  type(d: string) {
    this.dataCbs.forEach((cb) => cb(d));
  }
  resize(cols: number, rows: number) {
    this.cols = cols;
    this.rows = rows;
    this.resizeCbs.forEach((cb) => cb({ cols, rows }));
  }
  dispose() {
    this.disposed = true;
  }
}

export class FitAddon {
  fit() {}
}
