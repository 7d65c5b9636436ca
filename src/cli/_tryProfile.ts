import { matmulPeakGflops, profileStep } from './benchProfile';
import { initNodeBackend } from './nodeBackend';
await initNodeBackend('wasm', { threads: false });
const peak = await matmulPeakGflops(1024);
console.log('peak', peak.toFixed(1));
for (const [m, b] of [['cnn', 64], ['resnet20', Number(process.argv[2] ?? 16)]] as const) {
  const p = await profileStep(m, b, 32, peak, 3);
  console.log(m, b, 'step', p.stepMs.toFixed(1), 'kernels', p.kernelMs.toFixed(1), 'GFLOP', p.gflopPerStep.toFixed(3));
  for (const k of p.kernels.slice(0, 16)) console.log(' ', k.kernel.padEnd(28), String(k.calls).padStart(3), k.ms.toFixed(2).padStart(8), k.ofPeak === null ? '' : k.ofPeak.toFixed(2));
}
