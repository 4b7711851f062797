import { describe, expect, it } from 'vitest';
import { signInMessage } from '../../src/cli/sign-in-advice';
import { hintFor } from '../../src/shared/desktop';
import { SIGN_IN_ERROR_CODES, SignInError } from '../../src/sign-in';

// The shared sign-in says what happened with a code; each front end says what to do in its own terms.
describe('advice for a sign-in that cannot go on', () => {
  const fallback = hintFor('some-code-nobody-knows');

  it.each(SIGN_IN_ERROR_CODES)('words %s for the terminal and for the desktop, each in its own terms', (code) => {
    const error = new SignInError(code, 'What happened');
    const terminal = signInMessage(error);
    expect(terminal).toMatch(/^What happened; /u);
    expect(terminal).not.toContain('Settings');
    expect(terminal).toMatch(/hoist login|--signer|--token-file/u);
    const desktop = hintFor(code);
    expect(desktop).not.toBe(fallback);
    expect(desktop).toContain('Settings');
    expect(desktop).not.toMatch(/hoist login|--/u);
  });

  it('never tells anyone to run a command from the shared sign-in itself', () => {
    expect(new SignInError('refresh-refused', 'The identity provider refused').message).not.toContain('hoist');
  });
});
