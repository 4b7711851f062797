import { describe, expect, it } from 'vitest';
import { FileTable } from '../../src/main/desktop/file-table';

describe('the file table', () => {
  it('filters and pages 100,000 rows, and keeps counts per filter', () => {
    const table = new FileTable();
    for (let i = 0; i < 100_000; i++) table.queue(`f/${i}`, i);
    for (let i = 0; i < 100_000; i += 10) {
      table.finish({
        path: `f/${i}`,
        status: i % 20 === 0 ? 'uploaded' : 'failed',
        size: i,
        reason: 'nope',
        key: `k/${i}`,
      });
    }
    table.setActive([{ path: 'f/1', size: 1, bytesDone: 0, paused: false }]);
    const page = table.page('failed', 100, 50);
    expect(page.counts).toEqual({
      all: 100_000,
      active: 90_000,
      uploading: 1,
      waiting: 89_999,
      rejected: 0,
      failed: 5_000,
      done: 5_000,
    });
    expect(page.total).toBe(5_000);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0]).toEqual({
      path: 'f/2010',
      size: 2010,
      status: 'failed',
      bytesDone: 0,
      reason: 'nope',
      hasLink: false,
    });
    expect(table.page('active', 0, 1).rows[0]).toMatchObject({ path: 'f/1', status: 'uploading' });
    expect(table.page('uploading', 0, 10).rows).toEqual([expect.objectContaining({ path: 'f/1' })]);
    expect(table.page('waiting', 0, 1).rows[0]).toMatchObject({ path: 'f/2', status: 'queued' });
    expect(table.key('f/0')).toBe('k/0');
    expect(table.key('f/10')).toBeUndefined();
    const done = table.page('done', 0, 1).rows[0];
    expect(done).toMatchObject({ path: 'f/0', status: 'uploaded', hasLink: true });
    expect(done).not.toHaveProperty('key');
  });

  it('sets a file that left the active list without an outcome back to waiting', () => {
    const table = new FileTable();
    table.queue('a', 10);
    table.setActive([{ path: 'a', size: 10, bytesDone: 5, paused: false }]);
    table.setActive([]);
    expect(table.page('all', 0, 1).rows[0]).toMatchObject({ status: 'queued' });
  });

  it('puts failed files back in the queue for a retry, without their old reason or link', () => {
    const table = new FileTable();
    table.queue('a', 10);
    table.finish({ path: 'a', status: 'failed', size: 10, reason: 'S3 refused' });
    expect(table.failed()).toEqual([{ path: 'a', size: 10 }]);
    table.queue('a', 10);
    expect(table.page('all', 0, 1).rows[0]).toEqual({
      path: 'a',
      size: 10,
      status: 'queued',
      bytesDone: 0,
      hasLink: false,
    });
  });
});

describe('the file table, for many small files', () => {
  it('lists rows in natural path order, whatever order they arrive in', () => {
    const table = new FileTable();
    for (const path of ['b/img10.png', 'B/img2.png', 'a/img1.png', 'b/img2.png', 'a/IMG3.png']) table.queue(path, 1);
    expect(table.page('all', 0, 10).rows.map((row) => row.path)).toEqual([
      'a/img1.png',
      'a/IMG3.png',
      'B/img2.png',
      'b/img2.png',
      'b/img10.png',
    ]);
  });

  it('filters by name, case-insensitively, within a status filter', () => {
    const table = new FileTable();
    for (let i = 0; i < 1_000; i++) table.queue(i % 2 ? `raw/DSC_${i}.arw` : `jpg/dsc_${i}.jpg`, i);
    table.finish({ path: 'raw/DSC_1.arw', status: 'failed', size: 1, reason: 'nope' });
    const raw = table.page('all', 0, 3, 'dsc_1');
    expect(raw.total).toBe(111);
    expect(raw.rows.map((row) => row.path)).toEqual(['jpg/dsc_10.jpg', 'jpg/dsc_12.jpg', 'jpg/dsc_14.jpg']);
    expect(table.page('failed', 0, 10, 'DSC_1.').rows.map((row) => row.path)).toEqual(['raw/DSC_1.arw']);
    expect(table.page('all', 0, 10, 'nothing-like-it').total).toBe(0);
  });

  it('shows a conflict in the queue with its note', () => {
    const table = new FileTable();
    table.queue('a.txt', 10, 'Conflict: a different version is there');
    expect(table.page('all', 0, 1).rows[0]).toMatchObject({
      status: 'queued',
      reason: 'Conflict: a different version is there',
    });
  });
});
