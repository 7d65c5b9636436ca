import { describe, expect, it } from 'vitest';
import { DEBUG_HOOK_NAMES, findDebugHookNames } from './checkNoDebugHooks';

describe('the production build check', () => {
  it('names every file that mentions a debug hook, and only those', () => {
    const files = [
      { name: 'assets/index.js', text: 'const a=1;window.__rgLab={simulateDeviceLoss:()=>{}}' },
      { name: 'assets/trainer.worker.js', text: 'case"crashWorker":' },
      { name: 'assets/clean.js', text: 'const debug=false;// bench' },
    ];
    expect(findDebugHookNames(files)).toEqual([
      { file: 'assets/index.js', name: '__rgLab' },
      { file: 'assets/index.js', name: 'simulateDeviceLoss' },
      { file: 'assets/trainer.worker.js', name: 'crashWorker' },
    ]);
  });

  it('finds nothing in a build without the hooks', () => {
    expect(findDebugHookNames([{ name: 'index.js', text: 'console.log("training")' }])).toEqual([]);
    expect(DEBUG_HOOK_NAMES.length).toBeGreaterThan(3);
  });
});
