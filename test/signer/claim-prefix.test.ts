import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimSegment,
  meetsTemplate,
  prefixFromClaim,
  prefixFromTemplate,
  templateProblem,
} from '../../signer-server/src/identity/claim-prefix';

describe('prefixes from claims', () => {
  it('writes any claim value as one plain segment, and no two values as the same one (property)', () => {
    expect(claimSegment('auth0|5f3a')).toBe('auth0~7C5f3a');
    expect(claimSegment('..')).toBe('~2E.');
    expect(claimSegment('a/b')).toBe('a~2Fb');
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const [x, y] = [claimSegment(a), claimSegment(b)];
        expect(x).toMatch(/^[A-Za-z0-9~][A-Za-z0-9._~-]*$/u);
        if (a !== b) expect(x).not.toBe(y);
      }),
    );
  });

  it('builds the prefix from the template, or says which claim is missing', () => {
    expect(prefixFromTemplate('teams/{org}/{sub}', { org: 'acme', sub: 'ana' })).toEqual({ prefix: 'teams/acme/ana' });
    expect(prefixFromTemplate('users/{sub}', {})).toEqual({
      problem: 'the token has no `sub` claim to make its prefix from',
    });
    expect(prefixFromClaim('hoist_prefix', { hoist_prefix: 'teams/x' })).toEqual({ prefix: 'teams/x' });
    expect(prefixFromClaim('hoist_prefix', { hoist_prefix: '../x' })).toHaveProperty('problem');
  });

  it('checks templates, and which static prefixes they could meet', () => {
    expect(templateProblem('users/{sub}', 'sub')).toBeUndefined();
    expect(templateProblem('users/{email}', 'sub')).toMatch(/must hold `\{sub\}`/u);
    expect(templateProblem('users/x{sub}', 'sub')).toMatch(/segment `x\{sub\}`/u);
    expect(meetsTemplate('users/ana', 'users/{sub}')).toBe(true);
    expect(meetsTemplate('users', 'users/{sub}')).toBe(true);
    expect(meetsTemplate('staff/ana', 'users/{sub}')).toBe(false);
    expect(meetsTemplate('staff/ana', '{sub}')).toBe(true);
  });
});
