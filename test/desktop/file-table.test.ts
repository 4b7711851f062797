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
    expect(page.counts).toEqual({ all: 100_000, active: 90_000, failed: 5_000, done: 5_000 });
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
