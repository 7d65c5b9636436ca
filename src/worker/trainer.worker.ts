import { createBrowserDeps } from './browserDeps';
import { createTrainerHandler } from './handler';
import type { FromWorker, ToWorker } from './protocol';

/** The training worker's entry: wires the handler to this worker's messages. */
interface WorkerScope {
  postMessage(msg: FromWorker, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const handle = createTrainerHandler((msg, transfer) => scope.postMessage(msg, transfer ?? []), createBrowserDeps());
scope.onmessage = (e) => void handle(e.data);
