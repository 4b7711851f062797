import { describe, expect, it } from 'vitest';
import { checkUpload, checkViewLink } from '../../src/engine/signer/answer-checks';

const signed = (url: string, headers: Record<string, string> = {}) => ({ url, headers });

describe('signer answers the engine acts on', () => {
  it('send files over https, and over http only when allowed (a signer on this machine, --allow-http)', () => {
    expect(() => checkUpload(signed('https://bucket.s3.example/k?X-Amz-Signature=s'), '`a`', 'none')).not.toThrow();
    expect(() => checkUpload(signed('http://10.0.0.5/k?X-Amz-Signature=secret'), '`a`', 'none')).toThrow(
      'the upload URL `http://10.0.0.5/k`',
    );
    let message = '';
    try {
      checkUpload(signed('http://10.0.0.5/k?X-Amz-Signature=secret'), '`a`', 'none');
    } catch (error) {
      message = (error as Error).message;
    }
    // The query holds the signature: an error names scheme, host and path only.
    expect(message).toContain('http://10.0.0.5/k');
    expect(message).not.toContain('secret');
    expect(() => checkUpload(signed('http://127.0.0.1:9000/k'), '`a`', 'any')).not.toThrow();
    for (const url of ['file:///etc/passwd', 'ftp://h/x', 'data:text/plain,x', 'ws://h/x'])
      expect(() => checkUpload(signed(url), '`a`', 'any'), url).toThrow('Hoist sends files only over https');
  });

  it('send over http only to this machine when the signer is on it (N11)', () => {
    for (const url of [
      'http://127.0.0.1:9000/k',
      'http://localhost:9000/k',
      'http://[::1]:9000/k',
      'http://[::ffff:127.0.0.1]/k',
    ])
      expect(() => checkUpload(signed(url), '`a`', 'loopback'), url).not.toThrow();
    for (const url of [
      'http://0.0.0.0:9000/k',
      'http://[::]/k',
      'http://10.0.0.5/k',
      'http://[::ffff:a00:5]/k',
      'http://s3.example/k',
    ])
      expect(() => checkUpload(signed(url), '`a`', 'loopback'), url).toThrow('Hoist sends files only over https');
  });

  it('send only content-*, if-none-match and x-amz-* headers', () => {
    const ok = { 'Content-MD5': 'x', 'content-type': 'a/b', 'if-none-match': '*', 'x-amz-checksum-sha256': 'y' };
    expect(() => checkUpload(signed('https://h/k', ok), '`a`', 'none')).not.toThrow();
    for (const name of ['cookie', 'authorization', 'host', 'x-evil', 'transfer-encoding', 'expect'])
      expect(() => checkUpload(signed('https://h/k', { [name]: 'v' }), '`a`', 'none'), name).toThrow(`\`${name}\``);
  });

  it('keep view links that are http(s) only', () => {
    expect(() => checkViewLink('https://h/k?sig', '`a`')).not.toThrow();
    expect(() => checkViewLink('javascript:alert(1)', '`a`')).toThrow('`javascript:…`');
    expect(() => checkViewLink('file:///x', '`a`')).toThrow('`file:…`');
  });
});
