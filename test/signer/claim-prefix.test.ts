import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimSegment,
  meetsTemplate,
  prefixFromClaim,
  prefixFromTemplate,
  templateProblem,
} from '../../signer-server/src/identity/claim-prefix';
import { isWithinPrefix } from '@hoist/protocol';

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
    expect(prefixFromClaim('hoist_prefix', 'sub', { hoist_prefix: 'teams/x', sub: 'ana' })).toEqual({
      prefix: 'teams/x/@ana',
    });
    expect(prefixFromClaim('hoist_prefix', 'sub', { hoist_prefix: '../x', sub: 'ana' })).toHaveProperty('problem');
    expect(prefixFromClaim('hoist_prefix', 'sub', { hoist_prefix: 'teams/x' })).toHaveProperty('problem');
  });

  it('never nests the prefixes of two users whose claims name nested folders (N1, property)', () => {
    const folder = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,6}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,6}){0,3}$/u);
    const user = fc.string({ minLength: 1, maxLength: 12 });
    const prefixOf = (f: string, u: string): string => {
      const made = prefixFromClaim('hoist_prefix', 'sub', { hoist_prefix: f, sub: u });
      if (!('prefix' in made)) throw new Error(made.problem);
      return made.prefix;
    };
    // The case reported: folders `teams` and `teams/yara`, users `yara` and `ben`.
    expect(isWithinPrefix(prefixOf('teams/yara', 'ben'), prefixOf('teams', 'yara'))).toBe(false);
    fc.assert(
      fc.property(folder, user, folder, user, (f1, u1, f2, u2) => {
        const [a, b] = [prefixOf(f1, u1), prefixOf(f2, u2)];
        if (u1 === u2) return;
        expect(a === b || isWithinPrefix(a, b) || isWithinPrefix(b, a)).toBe(false);
      }),
      { numRuns: 2000 },
    );
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
