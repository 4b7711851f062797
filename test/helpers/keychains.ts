import type { SecretBox } from '../../src/main/desktop/settings-store';

// Stand-ins for the OS keychain (Electron's safeStorage), for desktop tests outside Electron.

/** A keychain that seals reversibly (a keyed XOR), so a token is stored but never as written. */
export function sealingKeychain(available = true): SecretBox {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(Buffer.from(plain).map((b) => b ^ 0x5a)),
    decryptString: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString(),
  };
}

/** A machine with no keychain: nothing can be sealed, so no sign-in is kept on disk. */
export const noKeychain: SecretBox = {
  isEncryptionAvailable: () => false,
  encryptString: () => Buffer.alloc(0),
  decryptString: () => '',
};
