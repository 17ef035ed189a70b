// Where `vrfsync show` writes: text lines or a JSON array, gathered into chunks of about 64 KiB
// and handed to stdout one chunk at a time, waiting for it to drain. A million routes never
// become one giant string, and a reader that stops early (`vrfsync show routes | head`) ends the
// output quietly, as it ends iproute2's, instead of crashing the process with EPIPE.

const CHUNK_CHARS = 64 * 1024;

export class ChunkedOutput {
  private parts: string[] = [];
  private chars = 0;
  private closed = false;
  private failure: Error | null = null;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      this.closed = true;
      if (err.code !== 'EPIPE') this.failure = err;
    });
  }

  /** False once the reader has gone: callers may stop producing. */
  get open(): boolean {
    return !this.closed;
  }

  /** Adds one line; returns a promise only when a chunk went out and must drain first. */
  line(text: string): Promise<void> | undefined {
    this.parts.push(text, '\n');
    this.chars += text.length + 1;
    return this.chars >= CHUNK_CHARS ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    if (this.closed || !text) return;
    if (!this.out.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('error', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('error', done);
      });
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Writes a JSON array with one element a line, from already serialized elements, so the
   * array is never built whole.
   */
  async jsonArray(elements: Iterable<string>): Promise<void> {
    // Each element goes out when the next one arrives: only then is its comma known.
    let held: string | null = null;
    for (const e of elements) {
      if (!this.open) break;
      const pending = this.line(held === null ? '[' : `${held},`);
      held = e;
      if (pending) await pending;
    }
    if (held === null) this.line('[]');
    else {
      this.line(held);
      this.line(']');
    }
    await this.flush();
  }

  async lines(lines: Iterable<string>): Promise<void> {
    for (const l of lines) {
      if (!this.open) break;
      const pending = this.line(l);
      if (pending) await pending;
    }
    await this.flush();
  }
}
