/**
 * Whether this build carries the debug hooks: `?debug` (simulateDeviceLoss, crashWorker) and
 * `?bench` (the bench request). True in development, in Vitest and in `vite build --mode test`
 * (what the browser tests and `npm run bench` serve); false in what `npm run build` ships, where
 * the code behind it is left out of the bundle (scripts/checkNoDebugHooks.ts checks).
 */
export const DEBUG_HOOKS: boolean = import.meta.env.MODE !== 'production';
