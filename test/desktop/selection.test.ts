import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectionOf } from '../../src/main/desktop/selection';

describe('one drop or pick is one batch', () => {
  it('takes one path as its own root, and several together under their closest common folder', () => {
    expect(selectionOf(['/home/ana/shoot/'])).toEqual({ root: '/home/ana/shoot' });
    expect(selectionOf(['/home/ana/Pictures/a.jpg', '/home/ana/Pictures/b.jpg', '/home/ana/Pictures/raw'])).toEqual({
      root: '/home/ana/Pictures',
      only: ['a.jpg', 'b.jpg', 'raw'],
    });
    expect(selectionOf(['/home/ana/Pictures/a.jpg', '/home/ana/Desktop/b.jpg'])).toEqual({
      root: '/home/ana',
      only: ['Desktop/b.jpg', 'Pictures/a.jpg'],
    });
  });

  it('takes a path inside another chosen folder once, with that folder, and a path given twice once', () => {
    const shoot = join('/media', 'card', 'DCIM');
    expect(selectionOf([shoot, join(shoot, '100CANON', 'IMG_1.CR3'), `${shoot}/`])).toEqual({ root: shoot });
    expect(selectionOf(['/a/x', '/a/x/y', '/a/z'])).toEqual({ root: '/a', only: ['x', 'z'] });
  });
});
