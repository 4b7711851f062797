import pkg from '../package.json' with { type: 'json' };

/** The signer's version, from its package.json: in /healthz and `hoist_signer_build_info`. */
export const SIGNER_VERSION: string = pkg.version;
