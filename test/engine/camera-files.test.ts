import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { CAMERA_MEDIA_TYPES } from '@hoist/protocol';
import { makeFolder } from '../helpers/folders';
import { md5Base64 } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// The formats a photographer's card holds (issue "Push a folder again…"), each pushed through the media
// policy the README suggests, on the verifying S3.
const s3 = inject('s3');
const admin = adminClient(s3);
const NAMED = [
  'IMG_0001.CR2',
  'IMG_0002.CR3',
  'IMG_0003.CRW',
  'DSC_0004.NEF',
  'DSC_0005.NRW',
  'DSC06.ARW',
  'DSC07.SR2',
  'DSC08.SRF',
  'DSCF9.RAF',
  'P10.ORF',
  'P11.RW2',
  'IMGP12.PEF',
  'L13.RWL',
  'IMG_14.DNG',
  'B15.3FR',
  'B16.FFF',
  'P17.IIQ',
  'S18.X3F',
  'IMG_19.HEIC',
  'IMG_20.HEIF',
  'IMG_21.AVIF',
  'IMG_0001.xmp',
  'A001.BRAW',
  'A002.R3D',
  'A003.MXF',
  'A004.MOV',
  'A005.MP4',
  'A006.M4V',
  'A007.MTS',
];
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy: { allowedTypes: ['image/*', 'video/*'] } });
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

describe('camera files under an image/* and video/* policy', () => {
  it('has a type for every format the issue names, each an image or a video', () => {
    for (const name of NAMED) {
      const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
      expect(CAMERA_MEDIA_TYPES[extension], name).toMatch(/^(image|video)\//u);
    }
  });

  it('uploads one file of each format, each stored under its camera type', async () => {
    const root = await makeFolder(Object.fromEntries(NAMED.map((name) => [`card/${name}`, `bytes of ${name}`])));
    const engine = new UploadEngine({
      signerUrl: signer.url,
      token: signer.tokens.alice,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-camera-')),
      concurrency: 8,
    });
    const report = await engine.batch(root).run();
    engine.close();
    expect(report.counts).toEqual({ uploaded: NAMED.length, skipped: 0, rejected: 0, failed: 0 });
    for (const file of report.files) {
      const head = await admin.send(new HeadObjectCommand({ Bucket: signer.bucket, Key: file.key! }));
      const extension = file.path.slice(file.path.lastIndexOf('.') + 1).toLowerCase();
      expect(head.ContentType, file.path).toBe(CAMERA_MEDIA_TYPES[extension]);
    }
  });

  it('names a camera file sent as octet-stream by its table type, and takes extensions in allowedTypes', async () => {
    const body = Buffer.from('raw');
    const file = (path: string, type = 'application/octet-stream') => ({ path, size: 3, type, md5: md5Base64(body) });
    const { json } = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'old-client',
      files: [file('a.CR3'), file('notes.bin')],
    });
    expect(json.files[0]).toMatchObject({ status: 'put', headers: { 'content-type': 'image/x-canon-cr3' } });
    expect(json.files[1]).toMatchObject({ status: 'error', code: 'type-not-allowed' });
    const byExtension = await startTestSigner(s3, {
      bucket: signer.bucket,
      policy: { allowedTypes: ['.cr3', 'image/jpeg'] },
    });
    const answer = await callSigner(byExtension.url, byExtension.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'extensions',
      files: [
        file('b.cr3', 'image/x-canon-cr3'),
        file('c.nef', 'image/x-nikon-nef'),
        file('d.svg.cr3', 'image/svg+xml'),
      ],
    });
    await byExtension.close();
    expect(answer.json.files.map((f: { status: string; code?: string }) => f.code ?? f.status)).toEqual([
      'put',
      'type-not-allowed',
      'type-not-allowed',
    ]);
  });
});
