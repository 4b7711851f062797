import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../src/engine/run/progress-tracker';
import { combineProgress } from '../../src/shared/progress';

const MB = 1_000_000;

/** `bytes` of `path` handed to a connection and accepted by S3. */
function sent(tracker: ProgressTracker, path: string, bytes: number): void {
  tracker.bytes(path, bytes);
  tracker.confirmed(path, bytes);
}

describe('ProgressTracker', () => {
  it('gives throughput over the last 5 s, and an ETA once the scan is complete', () => {
    const tracker = new ProgressTracker('b', '/r');
    tracker.addFile(100 * MB);
    tracker.start('a', 100 * MB);
    expect(tracker.snapshot(0)).toMatchObject({ throughput: 0, etaSeconds: null });
    for (let s = 1; s <= 5; s++) {
      sent(tracker, 'a', 10 * MB);
      tracker.snapshot(s * 1000);
    }
    // 10 MB/s for 5 s, but the scan may still find files: no ETA yet.
    expect(tracker.snapshot(5000)).toMatchObject({ throughput: 10 * MB, etaSeconds: null });
    tracker.scanComplete = true;
    for (let s = 6; s <= 10; s++) {
      sent(tracker, 'a', MB);
      tracker.snapshot(s * 1000);
    }
    // The window has forgotten the fast start: 1 MB/s now, 45 MB left.
    expect(tracker.snapshot(10_000)).toMatchObject({ throughput: MB, etaSeconds: 45 });
  });

  it('takes a failed file out of the totals, and the bytes of an attempt started over', () => {
    const tracker = new ProgressTracker('b', '/r');
    tracker.addFile(10 * MB);
    tracker.addFile(30 * MB);
    tracker.start('ok', 10 * MB);
    tracker.start('bad', 30 * MB);
    tracker.bytes('ok', 4 * MB);
    tracker.resetBytes('ok');
    sent(tracker, 'bad', 12 * MB);
    tracker.finish('bad', 'failed', 30 * MB);
    const snapshot = tracker.snapshot(0);
    expect(snapshot.bytes).toEqual({ total: 10 * MB, done: 0 });
    expect(snapshot.files).toEqual({ total: 2, uploaded: 0, skipped: 0, rejected: 0, failed: 1, active: 1 });
  });

  it('stands on a count of the folder until the scan completes: whole totals and an ETA early', () => {
    const tracker = new ProgressTracker('b', '/r');
    tracker.addFile(10 * MB);
    tracker.start('a', 10 * MB);
    tracker.snapshot(0);
    sent(tracker, 'a', 5 * MB);
    // One file of 100 found so far: without a count the totals are that one file, and no ETA.
    expect(tracker.snapshot(1000)).toMatchObject({ files: { total: 1 }, etaSeconds: null, totalsKnown: false });
    tracker.counted(100, 1000 * MB);
    expect(tracker.snapshot(1000)).toMatchObject({
      files: { total: 100 },
      bytes: { total: 1000 * MB, done: 5 * MB },
      etaSeconds: 199,
      totalsKnown: true,
    });
    // A refused file leaves the total as it ends; the scan's own figures take over once it completes.
    tracker.addFile(20 * MB);
    tracker.finish('refused.html', 'rejected', 20 * MB);
    expect(tracker.snapshot(1000).bytes.total).toBe(980 * MB);
    tracker.scanComplete = true;
    expect(tracker.snapshot(1000)).toMatchObject({ files: { total: 2 }, bytes: { total: 10 * MB } });
  });

  it('counts what a run before sent as done from the start, without making the speed up', () => {
    const tracker = new ProgressTracker('b', '/r');
    tracker.addFile(60 * MB);
    tracker.addFile(40 * MB);
    tracker.scanComplete = true;
    tracker.snapshot(0);
    tracker.doneBefore('sent-before', 60 * MB);
    tracker.finish('sent-before', 'uploaded', 60 * MB);
    tracker.start('parts', 40 * MB);
    tracker.doneBefore('parts', 30 * MB);
    sent(tracker, 'parts', 10 * MB);
    const snapshot = tracker.snapshot(1000);
    expect(snapshot.bytes).toEqual({ total: 100 * MB, done: 100 * MB });
    expect(snapshot.throughput).toBe(10 * MB);
    // The part upload starts over: its bytes, sent before or now, are taken back.
    tracker.resetBytes('parts');
    expect(tracker.snapshot(1000).bytes).toEqual({ total: 100 * MB, done: 60 * MB });
  });

  it('counts bytes handed to connections only as far as the link carries them: what S3 confirmed, and a second more', () => {
    const tracker = new ProgressTracker('b', '/r');
    tracker.addFile(100 * MB);
    tracker.scanComplete = true;
    tracker.start('a', 100 * MB);
    tracker.snapshot(0);
    // Socket buffers take 40 MB at once; the link has carried none of it yet.
    tracker.bytes('a', 40 * MB);
    expect(tracker.snapshot(500)).toMatchObject({ bytes: { done: 0 }, throughput: 0, etaSeconds: null });
    tracker.confirmed('a', 4 * MB);
    expect(tracker.snapshot(1000)).toMatchObject({ bytes: { done: 8 * MB }, throughput: 4 * MB, etaSeconds: 23 });
    tracker.confirmed('a', 4 * MB);
    expect(tracker.snapshot(2000)).toMatchObject({ bytes: { done: 12 * MB }, throughput: 4 * MB });
    tracker.bytes('a', 60 * MB);
    tracker.confirmed('a', 92 * MB);
    tracker.finish('a', 'uploaded', 100 * MB);
    expect(tracker.snapshot(3000).bytes).toEqual({ total: 100 * MB, done: 100 * MB });
  });

  it('lists at most 50 active files, so a snapshot stays small at any file count', () => {
    const tracker = new ProgressTracker('b', '/r');
    for (let i = 0; i < 100_000; i++) {
      tracker.addFile(1);
      tracker.start(`f${i}`, 1);
    }
    const snapshot = tracker.snapshot(0);
    expect(snapshot.files.active).toBe(100_000);
    expect(snapshot.active).toHaveLength(50);
  });
});

describe('combineProgress', () => {
  it('sums running batches, leaves ended ones out, and has an ETA only when every size is known', () => {
    const batch = (state: 'uploading' | 'done', done: number, scanComplete: boolean) => {
      const tracker = new ProgressTracker(state, '/r');
      tracker.addFile(20 * MB);
      tracker.start('f', 20 * MB);
      tracker.snapshot(0);
      sent(tracker, 'f', done);
      tracker.scanComplete = scanComplete;
      tracker.state = state;
      return tracker.snapshot(1000);
    };
    const scanning = combineProgress([batch('uploading', 10 * MB, true), batch('uploading', 5 * MB, false)]);
    expect(scanning).toMatchObject({ batches: 2, bytes: { total: 40 * MB, done: 15 * MB }, etaSeconds: null });
    expect(scanning.throughput).toBe(15 * MB);
    const sized = combineProgress([batch('uploading', 10 * MB, true), batch('done', 20 * MB, true)]);
    expect(sized).toMatchObject({ batches: 1, bytes: { total: 20 * MB, done: 10 * MB }, etaSeconds: 1 });
  });
});
