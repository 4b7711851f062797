// Signing in to a signer that trusts an identity provider: the device flow (CLI), the browser flow
// (desktop), the stored sign-ins, and the access token refreshed when due. Plain Node, beside the engine.
export { browserSignIn } from './browser-sign-in';
export { SignInStore, signInPath, type SignedIn } from './credentials';
export { deviceSignIn, signOut, type DevicePrompt } from './device-sign-in';
export { refreshSignIn, revokeSignIn } from './provider';
export { signInFetch } from './sign-in-fetch';
export { SIGN_IN_ERROR_CODES, SignInError, type SignInErrorCode } from './sign-in-error';
export { originOf, signedInToken, signInInfo, tokenSession } from './signer-sign-in';
