import type { TrainerClient } from './client';
import type { BenchRequest, BenchResult } from './protocol';

/** The page's side of the debug hooks (only in builds with DEBUG_HOOKS): messages to the worker. */

/** The worker acts as if its device were lost (see `simulateDeviceLoss` in protocol.ts). */
export function simulateDeviceLoss(client: TrainerClient, reason?: string): void {
  client.send(reason === undefined ? { type: 'simulateDeviceLoss' } : { type: 'simulateDeviceLoss', reason });
}

/** The worker throws an uncaught error and closes itself (see `crashWorker` in protocol.ts). */
export function crashWorker(client: TrainerClient): void {
  client.send({ type: 'crashWorker' });
}

/** Benchmarks only (`?bench`): trains `request` in the worker and resolves with its images/s. */
export async function bench(client: TrainerClient, request: BenchRequest): Promise<BenchResult> {
  const reply = await client.ask((id) => ({ type: 'bench', id, request }));
  if (reply.type !== 'benchResult') throw new Error(`bench got ${reply.type}`);
  return reply.result;
}

/** Installs `window.__rgLab` for the reliability tests (e2e/reliability.spec.ts). */
export function installDebugHooks(client: TrainerClient): void {
  (window as unknown as { __rgLab: unknown }).__rgLab = {
    simulateDeviceLoss: (reason?: string) => simulateDeviceLoss(client, reason),
    crashWorker: () => crashWorker(client),
  };
}
