/**
 * tfjs-backend-wasm 4.22 sizes XNNPACK's thread pool when the backend starts, at most
 * navigator.hardwareConcurrency / 2 whatever setThreadsCount asks (its module reads the core
 * count through emscripten_num_logical_cores), so a 2-core machine gets one thread. The worker
 * reports twice the threads wanted, and only while the backend starts: an own property on this
 * worker's navigator shadows WorkerNavigator's getter, and is removed afterwards.
 */
export async function withCoresReported<T>(cores: number, body: () => Promise<T>): Promise<T> {
  const nav = self.navigator;
  if (!(cores > nav.hardwareConcurrency)) return body();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
  try {
    return await body();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
