import type { ManifestFacts } from '../store/persistBridge';

declare const __APP_VERSION__: string;
declare const __TFJS_VERSION__: string;

/** The app's and TF.js's versions, put in by Vite at build time (vite.config.ts `define`). */
export const APP_FACTS: ManifestFacts = { appVersion: __APP_VERSION__, tfjsVersion: __TFJS_VERSION__ };
