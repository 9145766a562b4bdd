/** Reports written to stdout as they are rendered, pausing while the reader catches up. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { inPieces, writeToSink } from '../../cli/output.js';

/** A stream that accepts `room` writes, then says it is full until `drain` is emitted. */
class SlowSink extends EventEmitter {
  written: string[] = [];
  waits = 0;
  constructor(private room: number) {
    super();
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    this.room -= 1;
    return this.room > 0;
  }
  override once(event: 'drain', listener: () => void): this {
    this.waits += 1;
    // The reader catches up a little later.
    setTimeout(() => {
      this.room = 1;
      super.emit(event);
    }, 1);
    return super.once(event, listener);
  }
}

describe('writeToSink', () => {
  it('waits for drain whenever a write says the stream is full, and writes everything in order', async () => {
    const sink = new SlowSink(1);
    const chunks = Array.from({ length: 5 }, (_, i) => String(i).repeat(40_000));
    await writeToSink(sink, chunks);
    expect(sink.written.join('')).toBe(chunks.join(''));
    // 200,000 characters in pieces of at least 64 KiB: three writes, and after each the stream is full.
    expect(sink.written.length).toBe(3);
    expect(sink.waits).toBe(3);
  });

  it('writes a whole string at once, and never waits on a sink that cannot say it is full', async () => {
    const out: string[] = [];
    await writeToSink({ write: (t: string) => void out.push(t) }, 'whole report\n');
    expect(out).toEqual(['whole report\n']);
  });

  it('gathers small chunks into pieces of about 64 KiB', () => {
    const pieces = [...inPieces(Array.from({ length: 1000 }, () => 'x'.repeat(200)))];
    expect(pieces.join('')).toHaveLength(200_000);
    expect(pieces.slice(0, -1).every((p) => p.length >= 65_536)).toBe(true);
    expect(pieces.length).toBe(4);
  });
});
